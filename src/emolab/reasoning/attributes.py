"""Seeded persona and scenario attributes: what each generated dialogue is about.

Dialogue ``i`` of a run draws its attributes from its own generator, seeded with the run seed
and ``i``, so a rerun (or a resume after a kill) gives dialogue ``i`` the same persona and
scenario whatever happened to the dialogues before it.
"""

from __future__ import annotations

import json
import random
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from emolab.errors import DataFormatError

# EmoBench's coarse categories: EU (emotional understanding) and EA (emotional application).
EU_CATEGORIES = ("complex_emotions", "emotional_cues", "personal_beliefs_and_experiences",
                 "perspective_taking")
EA_CATEGORIES = ("Personal-Self", "Personal-Others", "Social-Self", "Social-Others")
EA_QUESTION_TYPES = ("Action", "Response")

NAMES = ("Amara", "Ben", "Chen", "Dalia", "Emil", "Farah", "Gustavo", "Hana", "Ivan", "Jaya",
         "Kofi", "Lena", "Mateo", "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tomoko",
         "Uma", "Viktor", "Wen", "Yusuf", "Zoe", "Aiko", "Bruno", "Carmen", "Deniz", "Elif")
OCCUPATIONS = ("nurse", "secondary-school teacher", "software developer", "bus driver",
               "accountant", "chef", "graduate student", "retail manager", "electrician",
               "social worker", "farmer", "journalist", "pharmacist", "police officer",
               "musician", "retired engineer", "call-centre agent", "architect",
               "small-business owner", "warehouse worker")
RELATIONSHIP_STATUSES = ("single", "dating", "married", "divorced", "widowed", "separated",
                         "in a long-distance relationship", "engaged")
CULTURES = ("Nigerian", "Brazilian", "Chinese", "Indian", "German", "Mexican", "Turkish",
            "Japanese", "Egyptian", "Swedish", "Filipino", "Polish", "Korean", "Canadian",
            "Kenyan", "Iranian", "Italian", "Vietnamese")
DISPOSITIONS = ("anxious and self-critical", "warm but conflict-avoidant",
                "guarded and sarcastic", "optimistic and talkative", "reserved and analytical",
                "impulsive and passionate", "people-pleasing", "stubborn and proud",
                "gentle and insecure", "blunt and practical")

RELATIONSHIP_TYPES = ("parent", "sibling", "partner", "close friend", "colleague", "manager",
                      "neighbour", "adult child", "roommate", "in-law")
PROBLEM_FOCI = ("a broken promise", "a misunderstanding", "a career setback", "a health scare",
                "money worries", "a change of plans", "feeling left out", "an unexpected success",
                "a loss", "a secret that came out", "competing obligations", "a public mistake")
CONFLICT_DOMAINS = ("family", "work", "friendship", "romance", "school", "community",
                    "online life", "health care")
STAKES = ("low", "moderate", "high")
EMOTION_MIXES = ("a single clear emotion", "two emotions pulling in opposite directions",
                 "an emotion that changes as events unfold", "an emotion hidden behind another",
                 "an emotion that others would not expect")
INSIGHTS = ("little insight into own feelings", "partial insight", "clear insight")
COPING_STYLES = ("avoidance", "rumination", "problem solving", "seeking support", "humour",
                 "denial", "distraction")
COMMUNICATION_STYLES = ("direct", "indirect", "hesitant", "emotional", "matter-of-fact",
                        "defensive")
VIEWPOINTS = ("the client's own experience", "someone close to the client",
              "how others see the client")

AGE_RANGE = (18, 75)


@dataclass(frozen=True)
class Persona:
    name: str
    age: int
    occupation: str
    relationship_status: str
    culture: str
    disposition: str
    description: str | None = None  # a user-supplied persona text replaces the sampled fields

    def describe(self) -> str:
        if self.description:
            return f"{self.name}. {self.description}"
        return (f"{self.name}, {self.age}, a {self.culture} {self.occupation}, "
                f"{self.relationship_status}, {self.disposition}")


@dataclass(frozen=True)
class ScenarioAttributes:
    eu_area: str
    ea_area: str
    relationship_type: str
    problem_focus: str
    conflict_domain: str
    stakes: str
    emotion_mix: str
    insight: str
    coping_style: str
    communication_style: str
    viewpoint: str

    def describe(self) -> str:
        return (f"Problem: {self.problem_focus}, in the domain of {self.conflict_domain}, "
                f"involving the client's {self.relationship_type}; stakes: {self.stakes}. "
                f"Emotions: {self.emotion_mix}. The client has {self.insight}, copes by "
                f"{self.coping_style} and speaks in a {self.communication_style} way. "
                f"Viewpoint: {self.viewpoint}.")


@dataclass(frozen=True)
class Plan:
    """Everything sampled for one dialogue."""

    index: int
    seed: int
    persona: Persona
    scenario: ScenarioAttributes

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def rng_for(seed: int, *parts: object) -> random.Random:
    """A generator that depends only on ``seed`` and ``parts`` (string seeding is stable)."""
    return random.Random(":".join(str(p) for p in (seed, *parts)))


def sample_plan(seed: int, index: int, personas: list[str] | None = None) -> Plan:
    rng = rng_for(seed, "plan", index)
    name = rng.choice(NAMES)
    if personas:
        persona = Persona(name=name, age=0, occupation="", relationship_status="", culture="",
                          disposition="", description=rng.choice(personas))
    else:
        persona = Persona(name=name, age=rng.randint(*AGE_RANGE), occupation=rng.choice(OCCUPATIONS),
                          relationship_status=rng.choice(RELATIONSHIP_STATUSES),
                          culture=rng.choice(CULTURES), disposition=rng.choice(DISPOSITIONS))
    scenario = ScenarioAttributes(
        eu_area=rng.choice(EU_CATEGORIES), ea_area=rng.choice(EA_CATEGORIES),
        relationship_type=rng.choice(RELATIONSHIP_TYPES), problem_focus=rng.choice(PROBLEM_FOCI),
        conflict_domain=rng.choice(CONFLICT_DOMAINS), stakes=rng.choice(STAKES),
        emotion_mix=rng.choice(EMOTION_MIXES), insight=rng.choice(INSIGHTS),
        coping_style=rng.choice(COPING_STYLES),
        communication_style=rng.choice(COMMUNICATION_STYLES), viewpoint=rng.choice(VIEWPOINTS))
    return Plan(index=index, seed=seed, persona=persona, scenario=scenario)


def read_personas(path: str | Path) -> list[str]:
    """The ``persona`` field of every line of a JSON Lines file (PersonaHub's layout)."""
    path = Path(path)
    personas = []
    with path.open(encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as err:
                raise DataFormatError(path, f"not JSON: {err.msg}", line=line_no) from None
            text = obj.get("persona") if isinstance(obj, dict) else None
            if not isinstance(text, str) or not text.strip():
                raise DataFormatError(path, "expected a non-empty string", line=line_no,
                                      field="persona")
            personas.append(" ".join(text.split()))
    if not personas:
        raise DataFormatError(path, "no personas in the file")
    return personas
