//! DEX/EVA-DTS audits (see `ingest`).
