//! How soon the allocator gives freed memory back to the system. Reading input frees
//! every document once it is checked; returning those pages at once keeps them out of
//! the peak. While the engine runs, the same setting makes every freed page fault in
//! again (zeroed, often as a 2 MiB huge page), which made a 1,000-node plan 2.4x slower,
//! so it holds only while input is read.

/// mimalloc's `mi_option_purge_delay` (its position in the option enum of the bundled v3
/// and of v2; the bindings name it only for v2).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// While alive, freed memory is returned to the system at once; dropping it restores the
/// delay that was set before.
pub struct PromptRelease {
    before: std::os::raw::c_long,
}

impl PromptRelease {
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
}
