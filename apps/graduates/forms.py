"""Which fields each graduate page edits; values are validated by the field registry."""

ORIGIN_FORM_FIELDS = ("origin_division", "phone", "email", "home_address", "family_contact_name",
                      "family_contact_relation", "family_contact_phone")
CONTACT_FORM_FIELDS = ("phone", "email", "home_address", "family_contact_name", "family_contact_relation",
                       "family_contact_phone")

# Read-only (grey) fields shown on the 生源信息 page, in the handbook's groups.
ENROLMENT_FIELDS = ("college", "major", "education_level_code", "training_mode_code", "exam_number",
                    "study_form", "enrolment_date", "graduation_date", "normal_student_code")
BASIC_FIELDS = ("name", "gender_code", "id_number", "ethnicity_code", "political_status_code", "urban_rural_code",
                "hardship_code")
