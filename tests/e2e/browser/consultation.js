// The patient's side of a consultation: signalling only through the PulseOne REST API (SPEC 3.6).
// Progress is on window.consultation for whoever drives the page (the browser test reads it).
"use strict";

const params = new URLSearchParams(location.search);
const gateway = (params.get("gateway") || "").replace(/\/$/, "");
const token = params.get("token") || "";
const sessionId = params.get("session") || "";
const api = `${gateway}/api/video/sessions/${encodeURIComponent(sessionId)}`;

const consultation = {
  phase: "starting",
  participantId: "",
  otherId: "",
  events: [],
  errors: [],
  connectionState: "new",
  framesDecoded: 0,
  framesSent: 0,
};
window.consultation = consultation;

function setPhase(phase) {
  consultation.phase = phase;
  document.getElementById("phase").textContent = phase;
}

function fail(error) {
  const text = String(error);
  consultation.errors.push(text);
  const item = document.createElement("li");
  item.textContent = text;
  document.getElementById("errors").append(item);
}
window.addEventListener("error", (event) => fail(event.message));
window.addEventListener("unhandledrejection", (event) => fail(event.reason));

async function call(method, path, body) {
  const response = await fetch(`${api}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : {};
}

// Signals leave one at a time, in order: the doctor must see the ANSWER before the candidates that
// belong to it, and fetches started together may arrive in any order. A failed one is recorded.
let outbox = Promise.resolve();
function signal(type, fields) {
  const body = { type, toParticipantId: consultation.otherId, ...fields };
  outbox = outbox.then(() => call("POST", "/signals", body)).catch(fail);
  return outbox;
}

// The REST events stream is one JSON array that grows as events happen ("[{...},\n{...}"): each
// complete top-level object is an event, whatever the chunks it came in.
async function* streamedObjects(body) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  let depth = 0;
  let start = -1;
  let inString = false;
  let escaped = false;
  let at = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    text += decoder.decode(value, { stream: true });
    for (; at < text.length; at++) {
      const c = text[at];
      if (inString) {
        if (escaped) escaped = false;
        else if (c === "\\") escaped = true;
        else if (c === '"') inString = false;
      } else if (c === '"') {
        inString = true;
      } else if (c === "{") {
        if (depth++ === 0) start = at;
      } else if (c === "}" && --depth === 0) {
        yield JSON.parse(text.slice(start, at + 1));
        text = text.slice(at + 1);
        at = -1;
      }
    }
  }
}

let camera = null;
let iceServers = [];
let connection = null;

function candidateInit(candidate) {
  // A candidate line as browsers write it ("candidate:..."); aiortc peers may leave the prefix out.
  const line = candidate.candidate.startsWith("candidate:") ? candidate.candidate : `candidate:${candidate.candidate}`;
  return { candidate: line, sdpMid: candidate.sdpMid || null, sdpMLineIndex: candidate.sdpMLineIndex ?? 0 };
}

async function answer(sdp) {
  if (connection) connection.close();
  const pc = new RTCPeerConnection({ iceServers });
  connection = pc;
  pc.addEventListener("track", (event) => {
    if (event.track.kind !== "video") return;
    const remote = document.getElementById("remote");
    remote.srcObject = event.streams[0] || new MediaStream([event.track]);
    remote.play().catch(() => {});
  });
  pc.addEventListener("icecandidate", (event) => {
    // The last event (no candidate, or an empty one) only says gathering is over.
    if (pc !== connection || !event.candidate || !event.candidate.candidate) return;
    const { candidate, sdpMid, sdpMLineIndex } = event.candidate;
    signal("ICE_CANDIDATE", { candidate: { candidate, sdpMid, sdpMLineIndex } });
  });
  pc.addEventListener("connectionstatechange", () => {
    if (pc === connection) consultation.connectionState = pc.connectionState;
  });
  await pc.setRemoteDescription({ type: "offer", sdp });
  // Send each kind the offer asks for; addTrack takes the transceiver the offer made.
  const offered = new Set(pc.getTransceivers().map((t) => t.receiver.track.kind));
  for (const track of camera.getTracks()) {
    if (offered.has(track.kind)) pc.addTrack(track, camera);
  }
  await pc.setLocalDescription(await pc.createAnswer());
  await signal("ANSWER", { sdp: pc.localDescription.sdp });
  setPhase("answered");
}

async function handle(event) {
  consultation.events.push(event);
  const fromOther = event.fromParticipantId === consultation.otherId;
  if (event.type === "OFFER" && fromOther) {
    await answer(event.sdp);
  } else if (event.type === "ICE_CANDIDATE" && fromOther && connection && event.candidate?.candidate) {
    await connection.addIceCandidate(candidateInit(event.candidate));
  } else if (event.type === "PARTICIPANT_LEFT" && event.participantId === consultation.otherId && connection) {
    connection.close();
    connection = null;
  } else if (event.type === "SESSION_ENDED") {
    if (connection) connection.close();
    connection = null;
    setPhase("ended");
  }
}

async function statistics() {
  if (!connection) return;
  let decoded = 0;
  let sent = 0;
  (await connection.getStats()).forEach((report) => {
    if (report.kind !== "video") return;
    if (report.type === "inbound-rtp") decoded += report.framesDecoded || 0;
    if (report.type === "outbound-rtp") sent += report.framesEncoded || 0;
  });
  consultation.framesDecoded = decoded;
  consultation.framesSent = sent;
}

// Video frames decoded from the doctor, from the receiver's own statistics.
window.framesDecoded = async () => {
  await statistics();
  return consultation.framesDecoded;
};

async function main() {
  if (!gateway || !token || !sessionId) throw new Error("the page needs ?gateway=...&token=...&session=...");
  setPhase("camera");
  camera = await navigator.mediaDevices.getUserMedia({ video: { width: 320, height: 240 }, audio: true });
  document.getElementById("local").srcObject = camera;
  // Listen first: the stream's headers come back once the service listens, so no offer made because
  // of our join can be missed. The events are handled once the join told who the doctor is.
  setPhase("listening");
  const stream = await fetch(`${api}/events`, { headers: { authorization: `Bearer ${token}` } });
  if (!stream.ok) throw new Error(`events: ${stream.status} ${await stream.text()}`);
  const joined = await call("POST", "/join", {});
  consultation.participantId = joined.participantId;
  consultation.otherId = joined.role === "DOCTOR" ? joined.session.patientId : joined.session.doctorId;
  iceServers = (joined.iceServers || []).map((s) => ({
    urls: s.urls,
    ...(s.username ? { username: s.username, credential: s.credential } : {}),
  }));
  setPhase("joined");
  setInterval(() => statistics().catch(fail), 250);
  for await (const event of streamedObjects(stream.body)) {
    await handle(event).catch(fail);
  }
  if (consultation.phase !== "ended") throw new Error("the events stream closed");
}

main().catch(fail);
