//! The pages: each builds a typed view and renders it as HTML, JSON or CSV.

pub mod area;
pub mod audit;
pub mod calendar;
pub mod deliveries;
pub mod fahrplan;
pub mod indicator;
pub mod konzept;
pub mod konzept_earlier;
pub mod konzept_edit;
pub mod konzept_goals;
pub mod konzept_projects;
pub mod lagebild;
pub mod legal;
pub mod meetings;
pub mod opendata;
pub mod overview;
pub mod presentation;
pub mod report;
pub mod report_docx;
pub mod reports;
pub mod rules;
pub mod submissions;
pub mod tasks;
pub mod warning;
