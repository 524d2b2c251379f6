use enumeter::runtime_label;

runtime_label! {
    /// No room at all.
    pub struct Zero: capacity = 0;
}

runtime_label! {
    /// More than a static table should hold.
    pub struct Huge: capacity = 1 << 40;
}


/// A capacity the macro cannot read is checked when the constant is known.
const NONE: usize = 0;

runtime_label! {
    /// From a constant.
    pub struct FromAConst: capacity = NONE;
}

fn main() {}
