//! The boilerplate every stateful handle shares, written once: a `Mutex` around a core
//! value, `to_json`/`from_json` for the host's database, `copy` (and `copy.copy`,
//! `copy.deepcopy`) and value equality. Each class keeps only its own methods, inside
//! [`state_handle!`].

use std::sync::{Mutex, MutexGuard};

use pyo3::prelude::*;

use crate::convert;
use crate::errors::Load;

/// Locks a handle's state. A poisoned lock can only follow a panic, which the core never
/// raises; the state itself is still consistent (a failed command leaves it untouched),
/// so keep going.
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A core value stored as JSON text by the host.
pub trait Stored: Clone + PartialEq + Sized {
    /// The storable state as JSON text.
    fn store(&self) -> PyResult<String>;
    /// Reads what [`Stored::store`] wrote; a document that cannot be loaded is
    /// `paystate.StateError` (`docs/spec.md` §2, "State documents").
    fn load(text: &Bound<'_, PyAny>) -> PyResult<Self>;
}

/// [`Stored`] through the core's serde shape.
macro_rules! serde_stored {
    ($($t:ty),* $(,)?) => {$(
        impl $crate::handle::Stored for $t {
            fn store(&self) -> PyResult<String> {
                $crate::convert::to_json_text(self)
            }
            fn load(text: &Bound<'_, PyAny>) -> PyResult<Self> {
                $crate::convert::from_json_text(text)
            }
        }
    )*};
}

serde_stored!(
    paystate::Matcher,
    paystate::Session,
    paystate::signature::ReplayGuard,
    paystate::delivery::DeliveryPlan,
);

impl Stored for paystate::Invoice {
    fn store(&self) -> PyResult<String> {
        Ok(self.to_json())
    }
    fn load(text: &Bound<'_, PyAny>) -> PyResult<Self> {
        paystate::Invoice::from_json(&convert::state_text(text)?).loading()
    }
}

/// The `#[pymethods]` block of a handle (`struct $ty { inner: Mutex<T> }`, `T: Stored`):
/// the class's own methods as written, plus `to_json`, `from_json`, `copy`, `__copy__`,
/// `__deepcopy__` and `__eq__` (same state; another type is never equal).
macro_rules! state_handle {
    (impl $ty:ident { $($body:tt)* }) => {
        #[pymethods]
        impl $ty {
            $($body)*

            /// The storable state as JSON text.
            fn to_json(&self) -> PyResult<String> {
                $crate::handle::Stored::store(&*$crate::handle::lock(&self.inner))
            }

            /// Restores a state written by `to_json` (`str` or `bytes`); raises
            /// `StateError` when it cannot be loaded.
            #[staticmethod]
            fn from_json(text: &Bound<'_, PyAny>) -> PyResult<Self> {
                Ok($ty {
                    inner: std::sync::Mutex::new($crate::handle::Stored::load(text)?),
                })
            }

            /// An independent copy.
            fn copy(&self) -> Self {
                $ty {
                    inner: std::sync::Mutex::new($crate::handle::lock(&self.inner).clone()),
                }
            }

            fn __copy__(&self) -> Self {
                self.copy()
            }

            fn __deepcopy__(&self, _memo: &Bound<'_, PyAny>) -> Self {
                self.copy()
            }

            fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
                match other.cast::<$ty>() {
                    Ok(o) if std::ptr::eq(self, o.get()) => true,
                    // Cloned first: locking both at once could deadlock two threads
                    // comparing a == b and b == a.
                    Ok(o) => {
                        let mine = $crate::handle::lock(&self.inner).clone();
                        mine == *$crate::handle::lock(&o.get().inner)
                    }
                    Err(_) => false,
                }
            }
        }
    };
}

pub(crate) use state_handle;
