"""The local stack: the real services, started in the background on loopback."""
