//! `mail.send`: e-mail goes out from a job (retried with backoff), never from the request that causes it.

use async_trait::async_trait;
use vendhub_app::ports::Mail;

use crate::registry::{Handler, JobContext, JobError, Registry};

pub const SEND: &str = "mail.send";

struct Send;

#[async_trait]
impl Handler for Send {
    async fn run(&self, ctx: &JobContext, payload: serde_json::Value) -> Result<(), JobError> {
        let mail: Mail = serde_json::from_value(payload)
            .map_err(|e| JobError::Permanent(format!("bad mail payload: {e}")))?;
        let mailer = ctx.app.mailer();
        if !mailer.configured() {
            return Err(JobError::Permanent(
                "SMTP_HOST is not set: e-mail cannot be sent".into(),
            ));
        }
        mailer
            .send(&mail)
            .await
            .map_err(|e| JobError::Retry(e.to_string()))
    }
}

pub fn register(r: &mut Registry) {
    r.register(SEND, Send);
}
