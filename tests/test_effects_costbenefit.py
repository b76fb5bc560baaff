"""Cost per participant and the socio-economic estimate against hand calculations."""

from __future__ import annotations

import pytest

from finsam_eval.effects.costbenefit import cost_per_participant, socioeconomic_estimate


def test_cost_per_participant():
    r = cost_per_participant(6_000_000, 197)
    assert r.value == pytest.approx(6_000_000 / 197)
    assert "30 457 kr" in r.caption.replace("\u00a0", " ")
    with pytest.raises(ValueError):
        cost_per_participant(1000, 0)


def test_socioeconomic_hand_calculation():
    s = socioeconomic_estimate(0.08, 197, 3, 500_000, cost=6_000_000, discount_rate=0.035)
    expected = 0.08 * 197 * 500_000 * (1 + 1 / 1.035 + 1 / 1.035**2)
    assert s.gain == pytest.approx(expected)
    assert s.net == pytest.approx(expected - 6_000_000)
    # Break-even: the effect at which the gain equals the cost.
    be = socioeconomic_estimate(s.break_even_effect, 197, 3, 500_000, cost=6_000_000, discount_rate=0.035)
    assert be.net == pytest.approx(0, abs=1e-6)
    # Part years count pro rata.
    half = socioeconomic_estimate(0.1, 100, 1.5, 100_000, discount_rate=0.0)
    assert half.gain == pytest.approx(0.1 * 100 * 100_000 * 1.5)


def test_assumptions_and_sensitivity_listed():
    s = socioeconomic_estimate(0.08, 197, 3, cost=6_000_000, effect_range=(0.02, 0.08, 0.14),
                               effect_label="ATT från matchning, KI 0,02-0,14")
    a = s.assumptions()
    text = " ".join(a["antagande"])
    for word in ("Effekt", "varaktighet", "Årlig kostnad", "Diskonteringsränta", "undanträngning"):
        assert word in text
    assert "ATT från matchning" in " ".join(a["kalla"])
    sens = s.sensitivity()
    assert len(sens) == 3 * 3 * 2
    row = sens[(sens.effekt_pe.round(6) == 2.0) & (sens.ar == 1.0) & (sens.arlig_kostnad_kr == 250_000)].iloc[0]
    assert row.vinst_msek * 1e6 == pytest.approx(0.02 * 197 * 250_000)
    assert "MSEK" in s.caption
    with pytest.raises(ValueError, match="0.08, inte 8"):
        socioeconomic_estimate(8, 197)
