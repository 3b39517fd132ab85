//! Fuzz target: bytes as a saved plan (`nodectl apply PLAN.json`): the strict read, the
//! digest checks and the checks that need no cluster. The digests would stop almost every
//! mutated input, so a plan read without them is also sealed again and must then read back
//! as the same plan.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nodectl::live::authority::{check_plan, Role};
use nodectl::live::saved::SavedPlan;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(plan) = SavedPlan::parse(text) {
        let _ = check_plan(&plan, &Role::operator());
    }
    let Ok(plan) = SavedPlan::parse_unsealed(text) else {
        return;
    };
    let sealed = plan.to_json().to_string();
    let again = SavedPlan::parse(&sealed).expect("a sealed plan reads back");
    assert_eq!(again, plan, "a sealed plan reads back unchanged");
    let _ = check_plan(&plan, &Role::operator());
});
