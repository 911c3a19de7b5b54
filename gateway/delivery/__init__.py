"""Webhook delivery, run by the job worker: batching the outbox, signing, sending through the outbound guard, retry timing."""
