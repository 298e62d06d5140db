//! wirewise: the course app (the shell is built out in src/app.rs and friends).
fn main() {}
