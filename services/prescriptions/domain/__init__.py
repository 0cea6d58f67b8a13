"""The prescriptions service's rules, free of transport and storage: what a prescription is, who
may issue, read, cancel and dispense it, and what a dispense may take."""
