"""payments: payment methods, one-time, scheduled and automatic payments, the processor."""
