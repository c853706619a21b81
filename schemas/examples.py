"""Examples for the OpenAPI document: one realistic body per request and main response, all
from one story (a discharge-to-assess pilot at an NHS trust, its retrospect and lessons, and
a later project that checks them). Each model names its example with `json_schema_extra`;
tests/unit/test_openapi_examples.py checks that every example fits its schema."""

# ruff: noqa: E501  (prose as the service serves it, one string a line)

from typing import Any

HEALTH: dict[str, Any] = {"status": "ok", "database": "ok", "index": "ok", "outbox_pending": 0}

TEAM_CREATE: dict[str, Any] = {
    "name": "Patient flow, Northshire NHS Foundation Trust",
    "description": "Discharge and bed management on the medical wards",
}

TEAM_UPDATE: dict[str, Any] = {"description": "Discharge, bed management and virtual wards"}

TEAM_READ: dict[str, Any] = {
    "id": 1,
    "name": "Patient flow, Northshire NHS Foundation Trust",
    "description": "Discharge and bed management on the medical wards",
    "version": 1,
    "created_at": "2024-03-18T09:21:58.029615Z",
    "updated_at": "2024-03-18T09:21:58.029638Z",
}

USER_CREATE: dict[str, Any] = {
    "name": "Ana Costa",
    "email": "ana.costa@nhs.example",
    "role": "contributor",
    "team_ids": [1],
    "specialisms": ["frailty", "discharge planning"],
    "years_experience": 12,
}

USER_UPDATE: dict[str, Any] = {"role": "reviewer"}

USER_READ: dict[str, Any] = {
    "id": 1,
    "name": "Ana Costa",
    "email": "ana.costa@nhs.example",
    "role": "contributor",
    "team_ids": [1],
    "specialisms": ["frailty", "discharge planning"],
    "years_experience": 12,
    "is_active": True,
    "version": 1,
    "created_at": "2024-03-18T09:21:58.179394Z",
    "updated_at": "2024-03-18T09:21:58.179414Z",
}

ME: dict[str, Any] = {
    "id": 1,
    "name": "Ana Costa",
    "email": "ana.costa@nhs.example",
    "role": "reviewer",
    "team_ids": [1],
    "is_bootstrap": False,
}

TOKEN_CREATE: dict[str, Any] = {
    "name": "ana laptop",
    "user_id": 1,
    "expires_at": "2027-06-30T00:00:00Z",
}

TOKEN_READ: dict[str, Any] = {
    "id": 1,
    "name": "ana laptop",
    "user_id": 1,
    "expires_at": "2027-06-30T00:00:00.000000Z",
    "created_at": "2024-03-18T09:21:58.313593Z",
    "revoked_at": None,
}

TOKEN_CREATED: dict[str, Any] = {
    "id": 1,
    "name": "ana laptop",
    "user_id": 1,
    "expires_at": "2027-06-30T00:00:00.000000Z",
    "created_at": "2024-03-18T09:21:58.313593Z",
    "revoked_at": None,
    "token": "hs_Xq3f9LwZs0V1bT8pE2mN6kR4yA7cD5uG1hJ0iK9oP2",
}

PROJECT_CREATE: dict[str, Any] = {
    "name": "Discharge to assess, wards 7 and 9",
    "description": "Move medically fit patients home or to a care setting within a day.",
    "organisation": "Northshire NHS Foundation Trust",
    "organisation_type": "nhs_trust",
    "population": "adults over 65 admitted to two medical wards",
    "scale": "2 wards, 56 beds, one local-authority partner",
    "phase": "delivery",
    "status": "active",
    "started_at": "2024-01-08T00:00:00Z",
    "owning_team_id": 1,
    "team_context": [
        {
            "role": "matron",
            "years_experience": 22,
            "specialisms": ["frailty"],
            "training": ["QSIR practitioner"],
            "note": "Supportive leadership meant: chaired the 8am huddle every day and "
            "unblocked beds by phone before 10.",
        }
    ],
    "contacts": [
        {
            "name": "Priya Shah",
            "role": "discharge lead, county council",
            "email": "priya.shah@council.example",
            "expertise": ["reablement"],
        }
    ],
    "tags": ["discharge", "frailty"],
    "topics": ["patient flow"],
}

PROJECT_UPDATE: dict[str, Any] = {
    "phase": "closure",
    "status": "completed",
    "ended_at": "2024-03-15T00:00:00Z",
}

PROJECT_READ: dict[str, Any] = {
    "id": 1,
    "name": "Discharge to assess, wards 7 and 9",
    "description": "Move medically fit patients home or to a care setting within a day.",
    "organisation": "Northshire NHS Foundation Trust",
    "organisation_type": "nhs_trust",
    "population": "adults over 65 admitted to two medical wards",
    "scale": "2 wards, 56 beds, one local-authority partner",
    "phase": "delivery",
    "status": "active",
    "started_at": "2024-01-08T00:00:00.000000Z",
    "ended_at": None,
    "owning_team_id": 1,
    "visibility": "internal",
    "team_ids": [],
    "team_context": [
        {
            "role": "matron",
            "years_experience": 22,
            "specialisms": ["frailty"],
            "training": ["QSIR practitioner"],
            "note": "Supportive leadership meant: chaired the 8am huddle every day and "
            "unblocked beds by phone before 10.",
        }
    ],
    "contacts": [
        {
            "name": "Priya Shah",
            "role": "discharge lead, county council",
            "email": "priya.shah@council.example",
            "expertise": ["reablement"],
        }
    ],
    "tags": ["discharge", "frailty"],
    "topics": ["patient flow"],
    "version": 1,
    "created_at": "2024-03-18T09:21:58.445231Z",
    "updated_at": "2024-03-18T09:21:58.445247Z",
}

VERSION_READ: dict[str, Any] = {
    "version": 1,
    "changed_by": {"user_id": 1, "name": "Ana Costa"},
    "changed_at": "2024-03-18T09:21:58.513304Z",
    "changed_fields": ["phase", "status", "ended_at"],
    "comment": "",
    "snapshot": {
        "id": 1,
        "name": "Discharge to assess, wards 7 and 9",
        "description": "Move medically fit patients home or to a care setting within a day.",
        "organisation": "Northshire NHS Foundation Trust",
        "organisation_type": "nhs_trust",
        "population": "adults over 65 admitted to two medical wards",
        "scale": "2 wards, 56 beds, one local-authority partner",
        "phase": "delivery",
        "status": "active",
        "started_at": "2024-01-08T00:00:00.000000Z",
        "ended_at": None,
        "owning_team_id": 1,
        "visibility": "internal",
        "team_ids": [],
        "team_context": [
            {
                "role": "matron",
                "years_experience": 22,
                "specialisms": ["frailty"],
                "training": ["QSIR practitioner"],
                "note": "Supportive leadership meant: chaired the 8am huddle every "
                "day and unblocked beds by phone before 10.",
            }
        ],
        "contacts": [
            {
                "name": "Priya Shah",
                "role": "discharge lead, county council",
                "email": "priya.shah@council.example",
                "expertise": ["reablement"],
            }
        ],
        "tags": ["discharge", "frailty"],
        "topics": ["patient flow"],
        "version": 1,
        "created_at": "2024-03-18T09:21:58.445231Z",
        "updated_at": "2024-03-18T09:21:58.445247Z",
    },
}

ASSET_CREATE: dict[str, Any] = {
    "kind": "retrospect",
    "project_id": 1,
    "title": "Discharge to assess: stage 1 retrospect",
    "summary": "Ten weeks on two wards: delays fell by a quarter; referrals were the bottleneck.",
    "body": "## What we set out to do\n\nCut delayed discharges by a third in ten weeks.",
    "authors": [{"name": "Ana Costa", "role": "ward manager"}],
    "tags": ["discharge"],
    "topics": ["patient flow"],
    "details": {
        "objectives": "Cut delayed discharges on wards 7 and 9 by a third",
        "what_went_well": ["Daily 8am huddle with social care"],
        "what_went_wrong": ["Referrals re-keyed into the council system"],
        "what_to_improve": ["One shared referral form, agreed before go-live"],
        "useful_contacts": [{"name": "Priya Shah", "role": "discharge lead, county council"}],
    },
    "lessons": [
        {
            "title": "Agree one referral form across organisations before go-live",
            "observation": "Referrals waited up to two days while they were re-keyed into the "
            "council's system.",
            "five_whys": [
                {
                    "question": "Why were discharges delayed?",
                    "answer": "Social-care referrals waited.",
                },
                {
                    "question": "Why did referrals wait?",
                    "answer": "They were re-keyed into a second system.",
                },
                {
                    "question": "Why were they re-keyed?",
                    "answer": "Each organisation had its own form.",
                },
            ],
            "root_cause": {
                "description": "No shared referral form was agreed in planning",
                "category": "process",
            },
            "lesson": "A shared referral form removes the largest single delay.",
            "recommendation": "Agree the form with the council during planning.",
            "polarity": "barrier",
            "impact": "high",
            "applicability": {
                "phases": ["planning"],
                "topics": ["referrals"],
                "organisation_types": ["nhs_trust", "local_authority"],
            },
        },
        {
            "title": "A daily huddle with a named chair keeps decisions moving",
            "observation": "Most blockers were cleared the same day they were raised.",
            "root_cause": {
                "description": "Visible, consistent leadership of one daily forum",
                "category": "leadership",
            },
            "lesson": "Supportive leadership here meant chairing the huddle daily and deciding "
            "in it.",
            "polarity": "success_factor",
            "impact": "medium",
            "applicability": {"phases": ["delivery"], "topics": ["huddles"]},
        },
    ],
}

ASSET_UPDATE: dict[str, Any] = {
    "summary": "Ten weeks on two wards: delayed discharges fell by a quarter; referrals were the "
    "bottleneck."
}

ASSET_TRANSITION: dict[str, Any] = {"to": "in_review", "comment": "ready for review"}

ASSET_READ: dict[str, Any] = {
    "id": 1,
    "kind": "retrospect",
    "title": "Discharge to assess: stage 1 retrospect",
    "summary": "Ten weeks on two wards: delays fell by a quarter; referrals were the bottleneck.",
    "body": "## What we set out to do\n\nCut delayed discharges by a third in ten weeks.",
    "body_html": "<h2>What we set out to do</h2>\n"
    "<p>Cut delayed discharges by a third in ten weeks.</p>",
    "tags": ["discharge"],
    "topics": ["patient flow"],
    "project_id": 1,
    "owning_team_id": 1,
    "authors": [{"name": "Ana Costa", "role": "ward manager", "email": None}],
    "visibility": "internal",
    "team_ids": [],
    "status": "draft",
    "details": {
        "objectives": "Cut delayed discharges on wards 7 and 9 by a third",
        "what_went_well": ["Daily 8am huddle with social care"],
        "what_went_wrong": ["Referrals re-keyed into the council system"],
        "what_to_improve": ["One shared referral form, agreed before go-live"],
        "useful_contacts": [
            {
                "name": "Priya Shah",
                "role": "discharge lead, county council",
                "email": None,
                "expertise": [],
            }
        ],
    },
    "lesson_ids": [1, 2],
    "version": 1,
    "created_at": "2024-03-18T09:21:58.542189Z",
    "updated_at": "2024-03-18T09:21:58.542189Z",
    "published_at": None,
}

ATTACHMENT_READ: dict[str, Any] = {
    "id": 1,
    "asset_id": 1,
    "filename": "report.pdf",
    "content_type": "application/pdf",
    "size": 1105,
    "sha256": "e1d09b215515b30f811e5f14d932df1bd3469cdfb714b779662ce643e16511db",
    "has_text": True,
    "text_status": "done",
    "text_status_reason": None,
    "created_at": "2024-03-18T09:21:58.846698Z",
}

LESSON_UPDATE: dict[str, Any] = {
    "recommendation": "Agree the form with the council during planning, and test it on ten real "
    "referrals."
}

LESSON_TRANSITION: dict[str, Any] = {"to": "action_planned"}

LESSON_READ: dict[str, Any] = {
    "id": 1,
    "asset_id": 1,
    "project_id": 1,
    "title": "Agree one referral form across organisations before go-live",
    "observation": "Referrals waited up to two days while they were re-keyed into the council's "
    "system.",
    "analysis": "",
    "five_whys": [
        {"question": "Why were discharges delayed?", "answer": "Social-care referrals waited."},
        {
            "question": "Why did referrals wait?",
            "answer": "They were re-keyed into a second system.",
        },
        {"question": "Why were they re-keyed?", "answer": "Each organisation had its own form."},
    ],
    "root_cause": {
        "description": "No shared referral form was agreed in planning",
        "category": "process",
    },
    "lesson": "A shared referral form removes the largest single delay.",
    "recommendation": "Agree the form with the council during planning.",
    "polarity": "barrier",
    "impact": "high",
    "applicability": {
        "phases": ["planning"],
        "topics": ["referrals"],
        "organisation_types": ["nhs_trust", "local_authority"],
    },
    "tags": [],
    "status": "identified",
    "status_reason": None,
    "evidence_of_change": None,
    "owning_team_id": 1,
    "visibility": "internal",
    "team_ids": [],
    "version": 1,
    "created_at": "2024-03-18T09:21:58.585077Z",
    "updated_at": "2024-03-18T09:21:58.585103Z",
    "learned_at": None,
}

ACTION_CREATE: dict[str, Any] = {
    "lesson_id": 1,
    "title": "Agree one referral form with the county council",
    "description": "Draft with the council's reablement team; test it on ten referrals.",
    "owner_name": "Priya Shah",
    "due_date": "2024-06-30",
}

ACTION_UPDATE: dict[str, Any] = {
    "status": "done",
    "evidence": "Form v1 in use on both wards since 3 June; referral wait now under 4 hours.",
}

ACTION_READ: dict[str, Any] = {
    "id": 1,
    "lesson_id": 1,
    "title": "Agree one referral form with the county council",
    "description": "Draft with the council's reablement team; test it on ten referrals.",
    "owner_name": "Priya Shah",
    "owner_user_id": None,
    "due_date": "2024-06-30",
    "status": "open",
    "evidence": None,
    "completed_at": None,
    "is_overdue": True,
    "version": 1,
    "created_at": "2024-03-18T09:21:59.067292Z",
    "updated_at": "2024-03-18T09:21:59.067292Z",
}

APPLICATION_CREATE: dict[str, Any] = {
    "lesson_id": 2,
    "project_id": 2,
    "decision": "adapt",
    "note": "A twice-weekly huddle with the virtual ward's GP, chaired by the ward's clinical lead.",
}

APPLICATION_UPDATE: dict[str, Any] = {
    "outcome": "helped",
    "outcome_note": "Blockers cleared within two days instead of a week.",
}

APPLICATION_READ: dict[str, Any] = {
    "id": 2,
    "lesson_id": 2,
    "project_id": 2,
    "due_diligence_id": None,
    "decision": "adapt",
    "note": "A twice-weekly huddle with the virtual ward's GP, chaired by the ward's clinical lead.",
    "outcome": "pending",
    "outcome_note": "",
    "version": 1,
    "created_at": "2024-03-18T09:21:59.660728Z",
    "updated_at": "2024-03-18T09:21:59.660728Z",
}

SEARCH_PAGE: dict[str, Any] = {
    "items": [
        {
            "type": "lesson",
            "id": 1,
            "title": "Agree one referral form across organisations before go-live",
            "snippet": "A shared <mark>referral</mark> <mark>form</mark> removes the largest "
            "single delay",
            "score": 18.2419,
            "kind": "retrospect",
            "status": "action_planned",
            "polarity": "barrier",
            "project_id": 1,
            "created_at": "2024-03-18T09:21:58.585077Z",
        },
        {
            "type": "asset",
            "id": 1,
            "title": "Discharge to assess: stage 1 retrospect",
            "snippet": "…with social care\n"
            "<mark>Referrals</mark> re-keyed into the council system\n"
            "One shared <mark>referral</mark> <mark>form</mark>, agreed before go-live\n"
            "Priya Shah\n"
            "discharge lead, county council\n"
            "Discharge to assess, wards 7 and…",
            "score": 1.4457,
            "kind": "retrospect",
            "status": "published",
            "polarity": None,
            "project_id": 1,
            "created_at": "2024-03-18T09:21:58.542189Z",
        },
    ],
    "total": 2,
    "limit": 2,
    "offset": 0,
    "facets": {
        "type": {"asset": 1, "lesson": 1},
        "kind": {"retrospect": 2},
        "topics": {"patient flow": 1, "referrals": 1},
        "tags": {"discharge": 1},
        "polarity": {"barrier": 1},
        "status": {"action_planned": 1, "published": 1},
        "root_cause_category": {"process": 1},
        "year": {"2026": 2},
    },
    "suggestion": None,
}

SUGGESTIONS: dict[str, Any] = {
    "suggestions": [
        "Agree one referral form across organisations before go-live",
        "referral",
        "referrals",
    ]
}

RELATED_LESSONS: dict[str, Any] = {
    "items": [
        {
            "type": "lesson",
            "id": 1,
            "title": "Agree one referral form across organisations before go-live",
            "snippet": "…up to two <mark>days</mark> while they were re-keyed into the "
            "council&#x27;s system",
            "score": 0.6507,
            "kind": "retrospect",
            "status": "action_planned",
            "polarity": "barrier",
            "project_id": 1,
            "created_at": "2024-03-18T09:21:58.585077Z",
        }
    ]
}

DUE_DILIGENCE_CREATE: dict[str, Any] = {
    "title": "Virtual ward for frailty: pre-project review",
    "description": "We plan a virtual ward for frail older adults discharged from the medical wards, "
    "run with the county council's reablement service. Referrals between the hospital "
    "and the council, daily coordination huddles and shared records are the parts we "
    "expect to be hard.",
    "project_id": 2,
    "topics": ["patient flow", "referrals"],
}

DUE_DILIGENCE_READ: dict[str, Any] = {
    "id": 1,
    "created_at": "2024-03-18T09:21:59.596541Z",
    "title": "Virtual ward for frailty: pre-project review",
    "description": "We plan a virtual ward for frail older adults discharged from the medical wards, "
    "run with the county council's reablement service. Referrals between the hospital "
    "and the council, daily coordination huddles and shared records are the parts we "
    "expect to be hard.",
    "project_id": 2,
    "phase": "planning",
    "topics": ["patient flow", "referrals"],
    "organisation_type": "nhs_trust",
    "team_id": 1,
    "created_by": {"user_id": 1, "name": "Ana Costa"},
    "terms": [
        {"term": "referrals", "weight": 2.9459},
        {"term": "ward", "weight": 2.6094},
        {"term": "council", "weight": 1.6931},
        {"term": "daily", "weight": 1.0},
        {"term": "discharged", "weight": 1.0},
        {"term": "huddles", "weight": 1.0},
        {"term": "shared", "weight": 1.0},
    ],
    "results": {
        "lessons": [
            {
                "lesson": {
                    "id": 1,
                    "asset_id": 1,
                    "project_id": 1,
                    "title": "Agree one referral form across organisations before go-live",
                    "observation": "Referrals waited up to two days while they "
                    "were re-keyed into the council's system.",
                    "analysis": "",
                    "five_whys": [
                        {
                            "question": "Why were discharges delayed?",
                            "answer": "Social-care referrals waited.",
                        },
                        {
                            "question": "Why did referrals wait?",
                            "answer": "They were re-keyed into a second system.",
                        },
                        {
                            "question": "Why were they re-keyed?",
                            "answer": "Each organisation had its own form.",
                        },
                    ],
                    "root_cause": {
                        "description": "No shared referral form was agreed in planning",
                        "category": "process",
                    },
                    "lesson": "A shared referral form removes the largest single delay.",
                    "recommendation": "Agree the form with the council during "
                    "planning, and test it on ten real "
                    "referrals.",
                    "polarity": "barrier",
                    "impact": "high",
                    "applicability": {
                        "phases": ["planning"],
                        "topics": ["referrals"],
                        "organisation_types": ["nhs_trust", "local_authority"],
                    },
                    "tags": [],
                    "status": "action_planned",
                    "status_reason": None,
                    "evidence_of_change": None,
                    "owning_team_id": 1,
                    "visibility": "internal",
                    "team_ids": [],
                    "version": 3,
                    "created_at": "2024-03-18T09:21:58.585077Z",
                    "updated_at": "2024-03-18T09:21:59.111035Z",
                    "learned_at": None,
                },
                "score": 1.35,
                "matched": [
                    "referrals",
                    "council",
                    "shared",
                    "phase:planning",
                    "organisation_type:nhs_trust",
                    "topic:referrals",
                ],
                "reason": "matches 'referrals' in the title, 'council' in the "
                "recommendation, 'shared' in the lesson; phase planning; "
                "organisation type nhs_trust; topic referrals",
            }
        ],
        "assets": [
            {
                "asset": {
                    "id": 1,
                    "kind": "retrospect",
                    "title": "Discharge to assess: stage 1 retrospect",
                    "summary": "Ten weeks on two wards: delayed discharges fell by "
                    "a quarter; referrals were the bottleneck.",
                    "tags": ["discharge"],
                    "topics": ["patient flow"],
                    "project_id": 1,
                    "owning_team_id": 1,
                    "authors": [{"name": "Ana Costa", "role": "ward manager", "email": None}],
                    "visibility": "internal",
                    "status": "published",
                    "created_at": "2024-03-18T09:21:58.542189Z",
                },
                "score": 1.25,
                "matched": [
                    "referrals",
                    "ward",
                    "discharged",
                    "organisation_type:nhs_trust",
                    "topic:patient flow",
                ],
                "reason": "matches 'referrals', 'ward' in the summary, 'discharged' in "
                "the title; organisation type nhs_trust; topic patient flow",
            }
        ],
        "open_actions": [],
        "people": [
            {
                "name": "Ana Costa",
                "role": "ward manager",
                "team": "Patient flow, Northshire NHS Foundation Trust",
                "email": None,
                "reason": "wrote the retrospect 'Discharge to assess: stage 1 "
                "retrospect', behind lesson 'Agree one referral form across "
                "organisations before go-live'",
                "sources": [
                    {"type": "lesson", "id": 1},
                    {"type": "lesson", "id": 2},
                    {"type": "asset", "id": 1},
                ],
            }
        ],
    },
}

DECISION_CREATE: dict[str, Any] = {
    "lesson_id": 1,
    "decision": "apply",
    "note": "Use the D2A referral form from day one.",
}

DECISIONS_RECORDED: dict[str, Any] = {
    "items": [
        {
            "id": 1,
            "lesson_id": 1,
            "project_id": 2,
            "due_diligence_id": 1,
            "decision": "apply",
            "note": "Use the D2A referral form from day one.",
            "outcome": "pending",
            "outcome_note": "",
            "version": 1,
            "created_at": "2024-03-18T09:21:59.643742Z",
            "updated_at": "2024-03-18T09:21:59.643742Z",
        }
    ]
}

FRAMEWORK_CREATE: dict[str, Any] = {
    "key": "northshire-km",
    "name": "Northshire KM maturity",
    "source": "Adapted by Northshire's knowledge team from Hindsight's starter framework",
    "levels": [
        {"level": 0, "label": "Not yet"},
        {"level": 1, "label": "Emerging"},
        {"level": 2, "label": "Established"},
        {"level": 3, "label": "Embedded"},
    ],
    "outcomes": [
        {
            "key": "capture",
            "title": "Lessons are captured while they are fresh",
            "description": "Teams record what they learned at the end of each stage.",
            "sub_outcomes": [
                {
                    "key": "capture.retrospects",
                    "title": "Every stage ends with a retrospect",
                    "level_descriptors": {
                        "0": "Rarely",
                        "1": "Some projects",
                        "2": "Most projects",
                        "3": "Every stage, by habit",
                    },
                    "indicative_measures": ["share of closed projects with a retrospect"],
                }
            ],
        },
        {
            "key": "reuse",
            "title": "Past lessons shape new projects",
            "description": "New work starts by looking at what was learned before.",
            "sub_outcomes": [
                {
                    "key": "reuse.due-diligence",
                    "title": "New projects run a due-diligence check",
                    "level_descriptors": {
                        "0": "Never",
                        "1": "When asked",
                        "2": "Most new projects",
                        "3": "Every new project, before its business case",
                    },
                    "indicative_measures": ["projects with a due-diligence check"],
                }
            ],
        },
    ],
}

FRAMEWORK_SUMMARY: dict[str, Any] = {
    "id": 2,
    "key": "northshire-km",
    "version": 1,
    "name": "Northshire KM maturity",
    "source": "Adapted by Northshire's knowledge team from Hindsight's starter framework",
    "is_latest": True,
    "created_at": "2024-03-18T09:21:59.720393Z",
}

FRAMEWORK_READ: dict[str, Any] = {
    "id": 2,
    "key": "northshire-km",
    "version": 1,
    "name": "Northshire KM maturity",
    "source": "Adapted by Northshire's knowledge team from Hindsight's starter framework",
    "is_latest": True,
    "created_at": "2024-03-18T09:21:59.720393Z",
    "description": "",
    "levels": [
        {"level": 0, "label": "Not yet"},
        {"level": 1, "label": "Emerging"},
        {"level": 2, "label": "Established"},
        {"level": 3, "label": "Embedded"},
    ],
    "outcomes": [
        {
            "key": "capture",
            "title": "Lessons are captured while they are fresh",
            "description": "Teams record what they learned at the end of each stage.",
            "sub_outcomes": [
                {
                    "key": "capture.retrospects",
                    "title": "Every stage ends with a retrospect",
                    "description": "",
                    "level_descriptors": {
                        "0": "Rarely",
                        "1": "Some projects",
                        "2": "Most projects",
                        "3": "Every stage, by habit",
                    },
                    "indicative_measures": ["share of closed projects with a retrospect"],
                    "evidence_figures": [],
                }
            ],
        },
        {
            "key": "reuse",
            "title": "Past lessons shape new projects",
            "description": "New work starts by looking at what was learned before.",
            "sub_outcomes": [
                {
                    "key": "reuse.due-diligence",
                    "title": "New projects run a due-diligence check",
                    "description": "",
                    "level_descriptors": {
                        "0": "Never",
                        "1": "When asked",
                        "2": "Most new projects",
                        "3": "Every new project, before its business case",
                    },
                    "indicative_measures": ["projects with a due-diligence check"],
                    "evidence_figures": [],
                }
            ],
        },
    ],
}

FIGURE_INFO: dict[str, Any] = {
    "key": "maturity_assessments_last_year",
    "label": "maturity self-assessments by the team in the 12 months to this one",
    "unit": "assessments",
    "available": True,
    "note": "",
}

ASSESSMENT_CREATE: dict[str, Any] = {
    "framework_id": 2,
    "team_id": 1,
    "assessed_at": "2024-04-01",
    "notes": "Scored together at the April away day.",
    "scores": [
        {
            "sub_outcome_key": "capture.retrospects",
            "current": 2,
            "target": 3,
            "evidence": "7 of 9 closed projects have a retrospect",
            "priority": False,
        },
        {
            "sub_outcome_key": "reuse.due-diligence",
            "current": 1,
            "target": 2,
            "evidence": "2 of 6 new projects ran a check",
            "priority": True,
            "actions": ["Add the check to the project start template"],
        },
    ],
}

ASSESSMENT_UPDATE: dict[str, Any] = {
    "notes": "Scored together at the April away day; checked with the KM lead."
}

ASSESSMENT_SUMMARY: dict[str, Any] = {
    "id": 1,
    "team_id": 1,
    "framework_id": 2,
    "framework_key": "northshire-km",
    "framework_version": 1,
    "assessed_at": "2024-04-01T00:00:00.000000Z",
    "notes": "Scored together at the April away day.",
    "mean_current": 1.5,
    "mean_target": 2.5,
    "priorities": ["reuse.due-diligence"],
    "created_by_user_id": None,
    "version": 1,
    "created_at": "2024-03-18T09:21:59.747243Z",
    "updated_at": "2024-03-18T09:21:59.747263Z",
}

ASSESSMENT_READ: dict[str, Any] = {
    "id": 1,
    "team_id": 1,
    "framework_id": 2,
    "framework_key": "northshire-km",
    "framework_version": 1,
    "assessed_at": "2024-04-01T00:00:00.000000Z",
    "notes": "Scored together at the April away day.",
    "mean_current": 1.5,
    "mean_target": 2.5,
    "priorities": ["reuse.due-diligence"],
    "created_by_user_id": None,
    "version": 1,
    "created_at": "2024-03-18T09:21:59.747243Z",
    "updated_at": "2024-03-18T09:21:59.747263Z",
    "outcomes": [
        {
            "outcome_key": "capture",
            "title": "Lessons are captured while they are fresh",
            "mean_current": 2.0,
            "mean_target": 3.0,
        },
        {
            "outcome_key": "reuse",
            "title": "Past lessons shape new projects",
            "mean_current": 1.0,
            "mean_target": 2.0,
        },
    ],
    "scores": [
        {
            "sub_outcome_key": "capture.retrospects",
            "outcome_key": "capture",
            "current": 2,
            "target": 3,
            "evidence": "7 of 9 closed projects have a retrospect",
            "priority": False,
            "actions": [],
            "live_evidence": [],
        },
        {
            "sub_outcome_key": "reuse.due-diligence",
            "outcome_key": "reuse",
            "current": 1,
            "target": 2,
            "evidence": "2 of 6 new projects ran a check",
            "priority": True,
            "actions": ["Add the check to the project start template"],
            "live_evidence": [],
        },
    ],
}

TEAM_PROGRESS: dict[str, Any] = {
    "team_id": 1,
    "framework_key": "northshire-km",
    "overall": [
        {
            "assessment_id": 1,
            "assessed_at": "2024-04-01T00:00:00.000000Z",
            "framework_id": 2,
            "framework_version": 1,
            "mean_current": 1.5,
            "mean_target": 2.5,
            "change_current": None,
        }
    ],
    "outcomes": [
        {
            "outcome_key": "capture",
            "title": "Lessons are captured while they are fresh",
            "points": [
                {
                    "assessment_id": 1,
                    "assessed_at": "2024-04-01T00:00:00.000000Z",
                    "framework_id": 2,
                    "framework_version": 1,
                    "mean_current": 2.0,
                    "mean_target": 3.0,
                    "change_current": None,
                }
            ],
        },
        {
            "outcome_key": "reuse",
            "title": "Past lessons shape new projects",
            "points": [
                {
                    "assessment_id": 1,
                    "assessed_at": "2024-04-01T00:00:00.000000Z",
                    "framework_id": 2,
                    "framework_version": 1,
                    "mean_current": 1.0,
                    "mean_target": 2.0,
                    "change_current": None,
                }
            ],
        },
    ],
}

LEARNING_METRICS: dict[str, Any] = {
    "team_id": 1,
    "from": None,
    "to": None,
    "lessons": {
        "total": 2,
        "by_status": {
            "identified": 1,
            "action_planned": 1,
            "actioned": 0,
            "learned": 0,
            "not_actioned": 0,
        },
        "actioned_share": 0.0,
        "learned_share": 0.0,
        "median_days_to_learned": None,
    },
    "actions": {"open": 0, "overdue": 0},
    "applications": {
        "total": 2,
        "by_decision": {"apply": 1, "adapt": 1, "not_applicable": 0},
        "by_outcome": {"pending": 1, "helped": 1, "no_effect": 0, "hindered": 0},
    },
    "reuse_rate": 1.0,
    "recurring_root_causes": [],
    "searches": {
        "total": 1,
        "zero_results": 0,
        "due_diligence_checks": 1,
        "top_zero_result_queries": [],
    },
    "projects": {"total": 2, "with_due_diligence": 1, "without_due_diligence": 1},
}

LESSON_EXPORT: dict[str, Any] = {
    "id": 1,
    "asset_id": 1,
    "project_id": 1,
    "title": "Agree one referral form across organisations before go-live",
    "observation": "Referrals waited up to two days while they were re-keyed into the council's "
    "system.",
    "analysis": "",
    "five_whys": [
        {"question": "Why were discharges delayed?", "answer": "Social-care referrals waited."},
        {
            "question": "Why did referrals wait?",
            "answer": "They were re-keyed into a second system.",
        },
        {"question": "Why were they re-keyed?", "answer": "Each organisation had its own form."},
    ],
    "root_cause": {
        "description": "No shared referral form was agreed in planning",
        "category": "process",
    },
    "lesson": "A shared referral form removes the largest single delay.",
    "recommendation": "Agree the form with the council during planning, and test it on ten real "
    "referrals.",
    "polarity": "barrier",
    "impact": "high",
    "applicability": {
        "phases": ["planning"],
        "topics": ["referrals"],
        "organisation_types": ["nhs_trust", "local_authority"],
    },
    "tags": [],
    "status": "action_planned",
    "status_reason": None,
    "evidence_of_change": None,
    "owning_team_id": 1,
    "visibility": "internal",
    "team_ids": [],
    "version": 3,
    "created_at": "2024-03-18T09:21:58.585077Z",
    "updated_at": "2024-03-18T09:21:59.111035Z",
    "learned_at": None,
    "external_id": "hindsight:lesson:1@20261203T152158.585077Z",
    "asset_external_id": "hindsight:asset:1@20261203T152158.542189Z",
    "asset_kind": "retrospect",
    "asset_title": "Discharge to assess: stage 1 retrospect",
}

IMPORT_REPORT: dict[str, Any] = {
    "created": 0,
    "updated": 0,
    "unchanged": 1,
    "rejected": [],
    "rejected_count": 0,
}

# A lesson added to an asset that exists: the first lesson of the retrospect above.
LESSON_CREATE: dict[str, Any] = {"asset_id": 1, **ASSET_CREATE["lessons"][0]}

# An exported asset: what it is read as, and the id an import matches it by.
ASSET_LESSON_EXPORT: dict[str, Any] = {**LESSON_READ, "external_id": LESSON_EXPORT["external_id"]}
ASSET_EXPORT: dict[str, Any] = {
    **ASSET_READ,
    "external_id": LESSON_EXPORT["asset_external_id"],
    "lessons": [ASSET_LESSON_EXPORT],
}

# Passwords, the audit log, webhooks, subscriptions and notifications.
PASSWORD_CHANGE: dict[str, Any] = {
    "current_password": "walk the ward at eight",
    "new_password": "huddle at eight, decide in it",
}

AUDIT_EVENT_READ: dict[str, Any] = {
    "id": 41,
    "at": "2024-03-18T09:22:04.118000Z",
    "actor_user_id": 2,
    "actor_name": "Ana Costa",
    "token_id": 2,
    "action": "transition_asset",
    "resource_type": "assets",
    "resource_id": "1",
    "address": "10.20.4.17",
    "detail": {"method": "POST", "path": "/v1/assets/1/transitions", "to": "in_review"},
}

WEBHOOK_CREATE: dict[str, Any] = {
    "url": "https://intranet.northshire.nhs.example/hooks/hindsight",
    "events": ["asset.published", "lesson.status_changed"],
    "team_id": 1,
    "description": "Patient-flow news feed on the intranet",
}

WEBHOOK_READ: dict[str, Any] = {
    "id": 1,
    **WEBHOOK_CREATE,
    "active": True,
    "version": 1,
    "created_at": "2024-03-18T10:02:11.402000Z",
}

WEBHOOK_CREATED: dict[str, Any] = {
    **WEBHOOK_READ,
    "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
}

WEBHOOK_UPDATE: dict[str, Any] = {"events": ["asset.published"], "active": True}

DELIVERY_READ: dict[str, Any] = {
    "id": 7,
    "event": "asset.published",
    "status": "delivered",
    "attempts": 1,
    "last_status_code": 204,
    "last_error": None,
    "next_attempt_at": None,
    "created_at": "2024-03-18T10:05:40.220000Z",
    "delivered_at": "2024-03-18T10:05:40.391000Z",
}

SUBSCRIPTION_CREATE: dict[str, Any] = {
    "name": "Discharge lessons",
    "q": "discharge referral",
    "filters": {"type": "lesson", "topic": "patient flow"},
    "frequency": "daily",
}

SUBSCRIPTION_READ: dict[str, Any] = {
    "id": 1,
    "name": "Discharge lessons",
    "q": "discharge referral",
    "filters": {
        "type": "lesson",
        "kind": None,
        "topic": "patient flow",
        "tag": None,
        "polarity": None,
        "root_cause_category": None,
        "project_id": None,
    },
    "frequency": "daily",
    "created_at": "2024-03-18T10:12:00.000000Z",
}

SUBSCRIPTION_PREVIEW: dict[str, Any] = {
    "subscription_id": 1,
    "frequency": "daily",
    "items": [
        {
            "type": "lesson",
            "id": 1,
            "title": "Agree one referral form across organisations before go-live",
            "link": "http://127.0.0.1:8000/lessons/1",
        }
    ],
}

NOTIFICATION_READ: dict[str, Any] = {
    "id": 3,
    "kind": "subscription",
    "subject": "New for \u201cDischarge lessons\u201d: Agree one referral form across organisations",
    "body": "A lesson matching your subscription was published.",
    "link": "http://127.0.0.1:8000/lessons/1",
    "created_at": "2024-03-18T10:15:02.000000Z",
    "read_at": None,
}
