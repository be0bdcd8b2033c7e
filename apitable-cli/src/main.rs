//! The `apitable` command; see the `apitable_cli` crate docs or `apitable --help`.

fn main() {
    std::process::exit(apitable_cli::main_with_process_io());
}
