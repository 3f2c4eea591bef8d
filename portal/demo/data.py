"""The demo network: real names from the source articles (seeds 000-004)."""

# code, name, English name, kind, parent code, country, currency, province, district, commune
ORGANISATIONS = [
    ("CDB-HO", "بانک توسعه تعاون", "Cooperative Development Bank", "bank_head_office", None,
     "IR", "IRR", "تهران"),
    ("CDB-TEH-01", "شعبه ویژه تعاون تهران", "Tehran specialised cooperative branch",
     "specialised_branch", "CDB-HO", "IR", "IRR", "تهران", "تهران"),
    ("CDB-ISF-01", "شعبه ویژه تعاون اصفهان", "Isfahan specialised cooperative branch",
     "specialised_branch", "CDB-HO", "IR", "IRR", "اصفهان", "اصفهان"),
    ("CDB-KHR-01", "شعبه ویژه تعاون مشهد", "Mashhad specialised cooperative branch",
     "specialised_branch", "CDB-HO", "IR", "IRR", "خراسان رضوی", "مشهد"),
    ("IR-MCLS", "وزارت تعاون، کار و رفاه اجتماعی",
     "Ministry of Cooperatives, Labour and Social Welfare", "ministry", None, "IR", "IRR",
     "تهران"),
    ("IR-UN-CONS", "اتحادیه سراسری تعاونی‌های مصرف کارکنان دولت",
     "National Union of Government Employees' Consumer Cooperatives", "national_union", None,
     "IR", "IRR", "تهران"),
    ("IR-UN-HOUS", "اتحادیه سراسری تعاونی‌های مسکن",
     "National Union of Housing Cooperatives", "national_union", None, "IR", "IRR", "تهران"),
    ("IR-UN-CARP", "اتحادیه سراسری تعاونی‌های فرش دستباف روستایی",
     "National Union of Rural Handwoven Carpet Cooperatives", "national_union", None, "IR",
     "IRR", "تهران"),
    ("IR-UN-TRAN", "اتحادیه سراسری تعاونی‌های حمل و نقل",
     "National Union of Transport Cooperatives", "national_union", None, "IR", "IRR",
     "تهران"),
    ("IR-UN-AGRI", "اتحادیه سراسری تعاونی‌های کشاورزی",
     "National Union of Agricultural Cooperatives", "national_union", None, "IR", "IRR",
     "تهران"),
    ("IR-CO-ISF-CARP", "تعاونی فرش دستباف روستایی نائین",
     "Nain rural handwoven carpet cooperative", "cooperative", "IR-UN-CARP", "IR", "IRR",
     "اصفهان", "نائین"),
    ("IR-CO-KHR-AGRI", "تعاونی تولیدکنندگان زعفران تربت حیدریه",
     "Torbat-e Heydarieh saffron growers' cooperative", "cooperative", "IR-UN-AGRI", "IR",
     "IRR", "خراسان رضوی", "تربت حیدریه"),
    ("VBSP-HO", "Ngân hàng Chính sách xã hội", "Vietnam Bank for Social Policies",
     "bank_head_office", None, "VN", "VND", "Hà Nội"),
    ("VBSP-KB", "Phòng giao dịch NHCSXH huyện Kim Bảng",
     "VBSP Kim Bang district transaction office", "specialised_branch", "VBSP-HO", "VN", "VND",
     "Hà Nam", "Kim Bảng"),
    ("VN-KB-WU", "Hội Liên hiệp Phụ nữ huyện Kim Bảng", "Kim Bang Women's Union",
     "mass_organisation", None, "VN", "VND", "Hà Nam", "Kim Bảng"),
    ("VN-KB-FA", "Hội Nông dân huyện Kim Bảng", "Kim Bang Farmers' Association",
     "mass_organisation", None, "VN", "VND", "Hà Nam", "Kim Bảng"),
    ("VN-KB-VA", "Hội Cựu chiến binh huyện Kim Bảng", "Kim Bang Veterans' Association",
     "mass_organisation", None, "VN", "VND", "Hà Nam", "Kim Bảng"),
    ("VN-KB-YU", "Huyện đoàn Kim Bảng", "Kim Bang Youth Union", "mass_organisation", None,
     "VN", "VND", "Hà Nam", "Kim Bảng"),
]
# the sector each Iranian union works in; their cooperatives inherit it
SECTORS = {"IR-UN-CONS": "consumer", "IR-UN-HOUS": "housing", "IR-UN-CARP": "handicrafts",
           "IR-UN-TRAN": "transport", "IR-UN-AGRI": "agriculture"}
MASS_ORGANISATIONS = [("VN-KB-WU",), ("VN-KB-FA",), ("VN-KB-VA",), ("VN-KB-YU",)]

# Kim Bang's 18 communes (seed 003: 15 of 18 communes with no overdue debt)
KIM_BANG_COMMUNES = [
    "Quế", "Ba Sao", "Đại Cương", "Đồng Hóa", "Hoàng Tây", "Khả Phong", "Lê Hồ", "Liên Sơn",
    "Ngọc Sơn", "Nguyễn Úy", "Nhật Tân", "Nhật Tựu", "Tân Sơn", "Thanh Sơn", "Thi Sơn",
    "Thụy Lôi", "Tượng Lĩnh", "Văn Xá",
]
KIM_BANG_GROUPS = 213  # seed 003


def groups_in_commune(index):
    """Spread Kim Bang's 213 groups over its 18 communes: 15 communes of 12, 3 of 11."""
    base, extra = divmod(KIM_BANG_GROUPS, len(KIM_BANG_COMMUNES))
    return base + (1 if index < extra else 0)


# e-mail, full name, preferred language, [(organisation code, role)], portfolio codes
USERS = [
    ("admin@cdb.example", "مدیر سامانه", "en", [("CDB-HO", "administrator")], []),
    ("rm.tehran@cdb.example", "مریم احمدی", "fa", [("CDB-TEH-01", "relationship_manager")],
     ["IR-UN-CONS", "IR-UN-HOUS", "IR-UN-CARP", "IR-CO-ISF-CARP", "IR-UN-AGRI",
      "IR-CO-KHR-AGRI"]),
    ("staff.isfahan@cdb.example", "علی رضایی", "fa", [("CDB-ISF-01", "branch_staff")], []),
    ("official@mcls.example", "حسین کریمی", "fa", [("IR-MCLS", "ministry_official")], []),
    ("director@carpet-union.example", "زهرا موسوی", "fa",
     [("IR-UN-CARP", "union_director")], []),
    ("canbo.kimbang@vbsp.example", "Nguyễn Thị Hương", "vi",
     [("VBSP-KB", "relationship_manager")], ["VN-KB-WU", "VN-KB-FA", "VN-KB-VA", "VN-KB-YU"]),
    ("chutich.phunu@kimbang.example", "Trần Thị Lan", "vi",
     [("VN-KB-WU", "union_director")], []),
    ("somchai@observer.example", "สมชาย ใจดี", "th", [("VBSP-KB", "branch_staff")], []),
]
