//! `plan_delivery` and `report_attempt` steps (filled in with the delivery module).

use super::{Output, Step};
use paystate::Timestamp;

/// The world's delivery plans, by id.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct State {}

impl State {
    pub(crate) fn execute(&mut self, step: &Step<'_>) -> paystate::Result<Output> {
        Err(paystate::Error::InvalidField {
            field: "op".into(),
            reason: format!("op {:?} is not implemented yet", step.op),
        })
    }

    /// Applies `at` to every plan (the `tick` op).
    pub(crate) fn tick(&mut self, _at: Timestamp) {}
}
