//! `plan_delivery` and `report_attempt` steps.

use std::collections::BTreeMap;

use paystate::delivery::{DeliveryPlan, Next, Outcome, Policy};
use paystate::{Duration, Error, Result, Timestamp};
use serde_json::Value;

use super::{unknown_or_reused, Output, Step};

/// The world's delivery plans, by id.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct State {
    plans: BTreeMap<String, DeliveryPlan>,
}

fn next_value(next: Next) -> Result<Value> {
    serde_json::to_value(next).map_err(|e| Error::InvalidField {
        field: "next".into(),
        reason: e.to_string(),
    })
}

impl State {
    pub(crate) fn execute(&mut self, step: &Step<'_>) -> Result<Output> {
        let f = &step.fields;
        let id = f.str("delivery")?;
        let next = match step.op {
            "plan_delivery" => {
                if self.plans.contains_key(id) {
                    return Err(unknown_or_reused("delivery", "already exists", id));
                }
                let plan = DeliveryPlan::new(id, Policy::parse(f.str("policy")?)?, step.at);
                let next = plan.next();
                self.plans.insert(id.to_owned(), plan);
                next
            }
            _ => {
                let outcome = Outcome::from_report(f.opt_u64("http_status")?, f.opt_str("error")?)?;
                let duration = f
                    .opt_u64("duration_ms")?
                    .map(|ms| Duration::from_millis(ms, "duration_ms"))
                    .transpose()?;
                let plan = self
                    .plans
                    .get_mut(id)
                    .ok_or_else(|| unknown_or_reused("delivery", "is unknown", id))?;
                plan.report(outcome, step.at, duration)?
            }
        };
        Ok(Output {
            next: Some(next_value(next)?),
            ..Output::default()
        })
    }

    /// Applies `at` to every plan (the `tick` op).
    pub(crate) fn tick(&mut self, at: Timestamp) {
        for plan in self.plans.values_mut() {
            plan.tick(at);
        }
    }
}
