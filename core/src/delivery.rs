//! Webhook delivery schedules (DESIGN §7). Being written.
