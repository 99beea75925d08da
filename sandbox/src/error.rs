//! Errors: the API's `{statusCode, message, error}` answers and start-up failures.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use paystate::dialect::usdt_gateway;
use paystate::dialect::Rejection;
use serde_json::{json, Value};

/// An answer other than success, in seed 001's error shape.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    /// The HTTP status.
    pub status: u16,
    /// The body to send.
    pub body: Value,
    /// `Retry-After` seconds (429 only).
    pub retry_after: Option<u64>,
    /// A concurrent writer won (an invoice's version moved, a claim was taken): the store
    /// runs the whole transaction again ([`crate::store::Db::tx`]). Never sent to a client.
    pub retry: bool,
}

impl ApiError {
    /// `{statusCode, message, error}` for `status`.
    pub fn new(status: u16, message: impl AsRef<str>) -> ApiError {
        let body = match status {
            // Statuses seed 001 does not list get the same shape with their own reason.
            413 => {
                json!({"statusCode": 413, "message": message.as_ref(), "error": "Payload Too Large"})
            }
            405 => {
                json!({"statusCode": 405, "message": message.as_ref(), "error": "Method Not Allowed"})
            }
            415 => {
                json!({"statusCode": 415, "message": message.as_ref(), "error": "Unsupported Media Type"})
            }
            _ => usdt_gateway::error_body(status, message.as_ref()),
        };
        ApiError::with_body(status, body)
    }

    /// `status` with `body` as it is: a refusal in a seed's own error shape.
    pub fn with_body(status: u16, body: Value) -> ApiError {
        ApiError {
            status,
            body,
            retry_after: None,
            retry: false,
        }
    }

    /// The store's "run the transaction again": a concurrent writer changed what this one
    /// read (no lost update). Answered as 503 only if the retries run out.
    pub fn retry() -> ApiError {
        ApiError {
            retry: true,
            ..ApiError::new(503, "Busy: concurrent updates, try again")
        }
    }

    /// 400 Bad Request.
    pub fn bad_request(message: impl AsRef<str>) -> ApiError {
        ApiError::new(400, message)
    }

    /// 404 Not Found.
    pub fn not_found(message: impl AsRef<str>) -> ApiError {
        ApiError::new(404, message)
    }

    /// 500, logging the cause (which never holds a secret: storage and transport errors).
    pub fn internal(cause: impl std::fmt::Display) -> ApiError {
        eprintln!("paystate sandbox: internal error: {cause}");
        ApiError::new(500, "Internal server error")
    }

    /// A core rejection of a request: the dialect's own status and body when it has them
    /// (`docs/spec.md §9`), else 400 with the core's message.
    pub fn from_rejection(r: Rejection) -> ApiError {
        match (r.http_status, r.body) {
            (Some(status), Some(body)) => ApiError::with_body(status, body),
            _ => ApiError::bad_request(r.error.to_string()),
        }
    }

    /// A core error on a command (`invalid_transition`, `invalid_field`, ...): 400 with the
    /// core's message.
    pub fn from_core(e: &paystate::Error) -> ApiError {
        ApiError::bad_request(e.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut resp = crate::http::json_response(status, &self.body);
        if let Some(secs) = self.retry_after {
            resp.headers_mut()
                .insert(axum::http::header::RETRY_AFTER, secs.into());
        }
        resp
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(e: rusqlite::Error) -> ApiError {
        ApiError::internal(format_args!("storage: {e}"))
    }
}

impl From<crate::ids::NoRandomness> for ApiError {
    fn from(e: crate::ids::NoRandomness) -> ApiError {
        ApiError::internal(e)
    }
}

/// Why the sandbox could not start.
#[derive(Debug)]
pub enum StartError {
    /// A flag's value is unusable.
    Usage(String),
    /// The database could not be opened or migrated.
    Storage(String),
    /// The port could not be bound.
    Bind(String),
    /// The runtime could not start.
    Runtime(String),
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StartError::Usage(m) => write!(f, "usage: {m}"),
            StartError::Storage(m) => write!(f, "database: {m}"),
            StartError::Bind(m) => write!(f, "bind: {m}"),
            StartError::Runtime(m) => write!(f, "runtime: {m}"),
        }
    }
}

impl std::error::Error for StartError {}
