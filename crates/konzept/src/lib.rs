//! The Integrationskonzept's texts: Markdown rendered and sanitised with live figure references
//! (`markdown`), the references themselves (`refs`), word-level differences between versions
//! (`diff`) and the sections a version is compared and commented by (`sections`). No HTTP, no SQL.

pub mod diff;
pub mod markdown;
pub mod refs;
pub mod sections;
