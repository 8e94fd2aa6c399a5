"""tax-intake: capture, queue, orchestration and command line of the intake service."""
