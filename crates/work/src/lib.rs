//! What the command line and the web server both do with the store: evaluate the early-warning
//! rules, keep the delivery plan, and import an uploaded file for a user whose rights may be limited
//! to some indicators.

pub mod deliveries;
pub mod evaluate;
pub mod konzept;
pub mod upload;
