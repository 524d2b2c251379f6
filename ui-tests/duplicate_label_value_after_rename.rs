use enumeter::LabelValue;

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "lowercase")]
pub enum Method {
    Invite,
    #[label(name = "invite")]
    ReInvite,
}

fn main() {}
