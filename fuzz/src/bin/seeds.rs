//! Writes the generated seeds to `fuzz/seeds/<target>/` (see [`kimo_fuzz::seeds`]).

fn main() {
    let base = kimo_fuzz::seeds::repo().join("fuzz/seeds");
    for (target, name, body) in kimo_fuzz::seeds::all() {
        let dir = base.join(target);
        std::fs::create_dir_all(&dir).expect("seed directory");
        std::fs::write(dir.join(&name), body).expect("seed written");
        println!("{target}/{name}");
    }
}
