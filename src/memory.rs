//! The allocator's settings, and handing back what it holds free.

/// Keeps resident memory near what is in use. glibc raises its mmap
/// threshold after a large block is freed, so later large blocks (each
/// password hash's 7 MiB of Argon2 memory) come from the heap and stay
/// there, one per thread that ever hashed; a fixed threshold maps them and
/// gives them back when freed. glibc also gives each new thread that meets a
/// busy arena an arena of its own, up to eight per core, and each keeps its
/// freed memory: under write load the blocking threads (one per queued
/// database call) grew the peak from 82 to 104 MiB in the benchmark. Four
/// arenas hold that down without the lock contention that two showed.
///
/// A fixed mmap threshold also fixes the trim threshold at glibc's 128 KiB:
/// every `free` that leaves more than that free at the top of a heap hands
/// it back to the kernel, and the next allocation asks for it again. SQLite's
/// writer freed a few hundred KiB at the end of each write's savepoint (its
/// journal, and bitmaps that grow with the database), so at a million
/// commitments a fifth of its time went to giving memory back and taking it
/// again (`perf`: `systrim`, `brk`). A 2 MiB trim threshold keeps that
/// memory for the next write (8 MiB was no faster); the peak resident
/// memory did not move. Batches now run without savepoints unless a write
/// fails (`db::writer`); the threshold stays for those that remain.
pub fn tune() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets allocator parameters; it is called once,
    // before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
        libc::mallopt(libc::M_ARENA_MAX, 4);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 2 << 20);
    }
}

/// Hands back to the kernel the free pages glibc's arenas hold, after a
/// long read that allocated and freed much in several of them (an export
/// of a million commitments left 8–10 MiB free but resident, on top of
/// which the next burst of sign-ins raised the peak). Takes a few
/// milliseconds; run it off the request threads.
pub fn hand_back() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases memory the allocator holds free.
    unsafe {
        libc::malloc_trim(0);
    }
}
