//! fork/exec of unit processes with fd passing.
