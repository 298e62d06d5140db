//! The app's pages, one per route.

pub mod capture;
pub mod embed;
pub mod fidelity;
pub mod figure;
pub mod home;
pub mod lesson;
pub mod not_found;
