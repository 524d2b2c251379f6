//! What `#[derive(LabelValue)]` generates: names, indices, parsing, codes.

use enumeter::LabelValue;

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "kebab-case")]
enum Status {
    Ok,
    DialogHangup,
    IceFailed,
    #[label(name = "pipeline_error")]
    PipelineError,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "UPPERCASE")]
enum Method {
    Invite,
    Bye,
    Register,
    #[label(name = "other", other)]
    Other,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
enum CodeClass {
    #[label(name = "1xx", codes = 100..=199)]
    Provisional,
    #[label(name = "2xx", codes = 200..300)]
    Success,
    #[label(name = "4xx-6xx", codes = [400..=499, 500..=599, 600..=699])]
    Failure,
    #[label(name = "other", other)]
    Other,
}

/// Full coverage of u16 without a catch-all.
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "snake_case")]
enum Size {
    #[label(codes = ..=99)]
    Small,
    #[label(codes = 100)]
    Exactly100,
    #[label(codes = 101..)]
    Large,
}

#[test]
fn rename_all_applies_to_variants_without_an_explicit_name() {
    assert_eq!(
        Status::NAMES,
        ["ok", "dialog-hangup", "ice-failed", "pipeline_error"]
    );
    assert_eq!(Method::NAMES, ["INVITE", "BYE", "REGISTER", "other"]);
    assert_eq!(Size::NAMES, ["small", "exactly100", "large"]);
}

#[test]
fn variants_without_rename_keep_their_rust_name() {
    #[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
    enum Plain {
        SipOverTls,
        Webrtc,
    }
    assert_eq!(Plain::NAMES, ["SipOverTls", "Webrtc"]);
}

#[test]
fn index_is_dense_and_const_and_matches_all() {
    const INDEX: usize = Status::IceFailed.index();
    const FROM_INDEX: Option<Status> = Status::from_index(2);
    assert_eq!(INDEX, 2);
    assert_eq!(FROM_INDEX, Some(Status::IceFailed));
    assert_eq!(Status::CARDINALITY, 4);
    assert_eq!(<Status as LabelValue>::CARDINALITY, 4);
    assert_eq!(Status::all().len(), 4);
    for (i, value) in Status::all().enumerate() {
        assert_eq!(value.index(), i);
        assert_eq!(LabelValue::index(value), i);
        assert_eq!(<Status as LabelValue>::from_index(i), Some(value));
        assert_eq!(value.as_str(), Status::NAMES[i]);
        assert_eq!(LabelValue::as_str(value), Status::NAMES[i]);
    }
    assert_eq!(Status::from_index(4), None);
    assert_eq!(Status::from_index(usize::MAX), None);
    assert!(<Status as LabelValue>::all()
        .rev()
        .eq(Status::all().collect::<Vec<_>>().into_iter().rev()));
}

#[test]
fn explicit_discriminants_do_not_change_the_dense_index() {
    #[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
    enum Sparse {
        A = 10,
        B = 20,
    }
    assert_eq!(Sparse::A.index(), 0);
    assert_eq!(Sparse::B.index(), 1);
    assert_eq!(Sparse::from_index(1), Some(Sparse::B));
    assert_eq!(Sparse::from_index(10), None);

    // Uneven, negative, implied and computed discriminants: the index is
    // still the declaration order.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
    enum Scattered {
        A = 7,
        B = 3,
        C = -4,
        D,
        E = 1 << 4,
    }
    let indices: Vec<usize> = Scattered::all().map(Scattered::index).collect();
    assert_eq!(indices, [0, 1, 2, 3, 4]);
    assert_eq!(Scattered::D as i32, -3);
    assert_eq!(Scattered::from_index(4), Some(Scattered::E));
    assert_eq!(Scattered::E.as_str(), "E");

    // Even steps, descending and negative: the index is arithmetic.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
    #[repr(i16)]
    enum Falling {
        A = 5,
        B = 2,
        C = -1,
        D = -4,
    }
    let indices: Vec<usize> = Falling::all().map(Falling::index).collect();
    assert_eq!(indices, [0, 1, 2, 3]);
    const D: usize = Falling::D.index();
    assert_eq!(D, 3);

    // At both ends of 64 bits.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
    #[repr(u64)]
    enum Top {
        A = 18446744073709551613,
        B,
        C,
    }
    assert_eq!(Top::C as u64, u64::MAX);
    assert_eq!(Top::all().map(Top::index).collect::<Vec<_>>(), [0, 1, 2]);
    #[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
    #[repr(i64)]
    enum Bottom {
        A = i64::MIN as isize as i64,
        B = -9223372036854775807,
        C,
    }
    assert_eq!(
        Bottom::all().map(Bottom::index).collect::<Vec<_>>(),
        [0, 1, 2]
    );
}

#[test]
fn from_name_finds_exposition_names_only() {
    assert_eq!(
        Status::from_name("dialog-hangup"),
        Some(Status::DialogHangup)
    );
    assert_eq!(Status::from_name("DialogHangup"), None);
    assert_eq!(Status::from_name(""), None);
    assert_eq!(<Status as LabelValue>::from_name("ok"), Some(Status::Ok));
}

#[test]
fn from_name_or_other_collapses_the_long_tail() {
    assert_eq!(Method::from_name_or_other("INVITE"), Method::Invite);
    assert_eq!(Method::from_name_or_other("SUBSCRIBE"), Method::Other);
    assert_eq!(Method::from_name_or_other("invite"), Method::Other);
}

#[test]
fn parse_reports_which_set_did_not_know_the_value() {
    let err = <Status as LabelValue>::parse("busy").unwrap_err();
    assert_eq!(err.value(), "busy");
    assert!(err.type_name().ends_with("Status"), "{}", err.type_name());
}

#[test]
fn from_code_maps_ranges_lists_and_the_rest_to_other() {
    assert_eq!(CodeClass::from_code(100), CodeClass::Provisional);
    assert_eq!(CodeClass::from_code(199), CodeClass::Provisional);
    assert_eq!(CodeClass::from_code(200), CodeClass::Success);
    assert_eq!(CodeClass::from_code(299), CodeClass::Success);
    assert_eq!(CodeClass::from_code(300), CodeClass::Other);
    assert_eq!(CodeClass::from_code(486), CodeClass::Failure);
    assert_eq!(CodeClass::from_code(699), CodeClass::Failure);
    assert_eq!(CodeClass::from_code(700), CodeClass::Other);
    assert_eq!(CodeClass::from_code(0), CodeClass::Other);
    const CLASS: CodeClass = CodeClass::from_code(503);
    assert_eq!(CLASS, CodeClass::Failure);
}

#[test]
fn from_code_without_other_covers_every_u16() {
    assert_eq!(Size::from_code(0), Size::Small);
    assert_eq!(Size::from_code(99), Size::Small);
    assert_eq!(Size::from_code(100), Size::Exactly100);
    assert_eq!(Size::from_code(101), Size::Large);
    assert_eq!(Size::from_code(u16::MAX), Size::Large);
}

#[test]
fn bool_is_a_built_in_label_value() {
    assert_eq!(<bool as LabelValue>::CARDINALITY, 2);
    assert_eq!(<bool as LabelValue>::NAMES, ["false", "true"]);
    assert_eq!(LabelValue::index(true), 1);
}
