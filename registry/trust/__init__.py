"""Trust: signed tokens and checkpoints, the signing keys, and the QR codes that carry tokens."""
