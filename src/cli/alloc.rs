//! How soon the allocator gives freed memory back to the system. Reading input frees
//! every document once it is checked; returning those pages at once keeps them out of
//! the peak. While the engine runs, the same setting makes every freed page fault in
//! again (zeroed, often as a 2 MiB huge page), which made a 1,000-node plan 2.4x slower,
//! so it holds only while input is read, and only when one input is large: many small
//! files free little at a time, and returning each page at once cost a validate of 20,000
//! small files ~40 % of its time in `madvise` and the TLB flushes it sends to every thread.

use crate::manifest::{Input, LoadError};

/// An input at least this large (or stdin, whose size is unknown) is read with prompt release.
const LARGE_INPUT: u64 = 1 << 20;

/// mimalloc's `mi_option_allow_thp` (its position in the bundled v3's option enum).
const MI_OPTION_ALLOW_THP: libmimalloc_sys::mi_option_t = 43;

/// Turns transparent huge pages off for this process. The engine allocates many small
/// nodes spread over fresh memory; with huge pages each first touch zeroed 2 MiB, which
/// was 41 % of a 3,000-node plan's time (sys 2.5 s of 4.9 s) and none of its work.
pub fn small_pages() {
    // SAFETY: setting an option is allowed at any time; prctl with PR_SET_THP_DISABLE
    // takes plain integers and changes only this process's paging.
    unsafe {
        libmimalloc_sys::mi_option_set(MI_OPTION_ALLOW_THP, 0);
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

/// mimalloc's `mi_option_purge_delay` (its position in the option enum of the bundled v3
/// and of v2; the bindings name it only for v2).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// While alive, freed memory is returned to the system at once; dropping it restores the
/// delay that was set before.
pub struct PromptRelease {
    before: std::os::raw::c_long,
}

impl PromptRelease {
    /// Prompt release while `inputs` are read, if any of them is large.
    pub fn for_inputs(inputs: &[Result<Input, LoadError>]) -> Option<Self> {
        let large = |input: &Result<Input, LoadError>| match input {
            Ok(Input::Stdin) => true,
            Ok(Input::File(path)) => std::fs::metadata(path).is_ok_and(|m| m.len() >= LARGE_INPUT),
            Err(_) => false,
        };
        inputs.iter().any(large).then(Self::start)
    }

    pub fn start() -> Self {
        // SAFETY: reading and setting an option is allowed at any time; the values are
        // plain integers.
        let before = unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) };
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0) };
        PromptRelease { before }
    }
}

impl Drop for PromptRelease {
    fn drop(&mut self) {
        // SAFETY: as in `start`.
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, self.before) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_delay_is_zero_while_held_and_restored_after() {
        let get = || unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) };
        let before = get();
        {
            let _prompt = PromptRelease::start();
            assert_eq!(get(), 0);
        }
        assert_eq!(get(), before);
        assert_ne!(before, 0, "mimalloc's default purge delay is not 0");
    }

    #[test]
    fn huge_pages_are_off_after_small_pages() {
        small_pages();
        // SAFETY: a query with plain integers.
        let disabled = unsafe { libc::prctl(libc::PR_GET_THP_DISABLE, 0, 0, 0, 0) };
        assert_eq!(disabled, 1);
        let get = || unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_ALLOW_THP) };
        assert_eq!(get(), 0);
        // The index is the one of `allow_thp`: the two options before it keep their
        // distinctive defaults (`page_max_reclaim` -1, `page_cross_thread_max_reclaim` 32).
        let before = |n| unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_ALLOW_THP - n) };
        assert_eq!((before(2), before(1)), (-1, 32));
    }

    #[test]
    fn only_a_large_input_or_stdin_asks_for_prompt_release() {
        let dir = tempfile::tempdir().unwrap();
        let small = dir.path().join("small.yaml");
        let large = dir.path().join("large.yaml");
        std::fs::write(&small, "a: 1\n").unwrap();
        std::fs::write(&large, vec![b'#'; LARGE_INPUT as usize]).unwrap();
        let inputs = |list: &[Input]| -> Vec<Result<Input, LoadError>> {
            list.iter().cloned().map(Ok).collect()
        };
        assert!(PromptRelease::for_inputs(&inputs(&[Input::File(small.clone())])).is_none());
        assert!(PromptRelease::for_inputs(&inputs(&[
            Input::File(small.clone()),
            Input::File(large)
        ]))
        .is_some());
        assert!(PromptRelease::for_inputs(&inputs(&[Input::File(small), Input::Stdin])).is_some());
    }
}
