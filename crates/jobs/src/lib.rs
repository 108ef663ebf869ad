//! Background work: a worker that runs durable jobs from the job table, and a scheduler that enqueues
//! periodic ones (one leader across replicas). One module per job family registers its handlers.

pub mod fleet;
pub mod mail;
pub mod maintenance;
pub mod orders;
pub mod registry;
pub mod scheduler;
pub mod tasks;
pub mod worker;

pub use registry::{Handler, JobContext, JobError, Registry};
pub use scheduler::{Schedule, Scheduler};
pub use worker::{Worker, WorkerConfig};
