//! Target `xlsx`: see [`kimo_fuzz::xlsx`]. Built by `cargo afl build` it is an AFL target; built
//! plainly it runs the files named on its command line (to replay a crash with a backtrace).

#[cfg(fuzzing)]
fn main() {
    afl::fuzz!(|data: &[u8]| kimo_fuzz::xlsx(data));
}

#[cfg(not(fuzzing))]
fn main() {
    kimo_fuzz::replay(kimo_fuzz::xlsx);
}
