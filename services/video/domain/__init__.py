"""The video service's rules, free of transport, storage and media: sessions and their life,
who may join, signal and record, and the ICE servers a participant gets."""
