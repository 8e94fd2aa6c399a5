"""Server-rendered correction screens (R15, R16), login and sessions (R30, R31, R34)."""
