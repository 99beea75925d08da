//! `verify_signature` and `sign` steps (filled in with the signature module).

use super::{Output, Step};

/// What signature steps keep between steps: the world's replay guard.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct State {}

impl State {
    pub(crate) fn execute(&mut self, step: &Step<'_>) -> paystate::Result<Output> {
        Err(paystate::Error::InvalidField {
            field: "op".into(),
            reason: format!("op {:?} is not implemented yet", step.op),
        })
    }
}
