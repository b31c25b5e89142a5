"""The tranche tokens in the secondary market (the liquidity illusion), a block of the Returns sheet:
per class, the fair value of the cash flows still to come at the market yield (a backward recursion
that reads the next month's cell), the bid after the haircut in force (normal until the first stress
event, crunch from it), the exit value per 100 invested, the value the holder was promised (the par
claim) and the gap."""
from __future__ import annotations

from ..glossary import defined_name
from .layout import Row, section

STRESS = "([shock_flag@all]+[trigger_breach@all]+[default_event@all])*[in_term@all]"


def secondary_rows(tranche_names: list[str]) -> list[Row]:
    rows = [
        section("Selling the token: fair value, the bid in fair weather and in a crunch, and what was promised"),
        Row("first_stress_month", "First stress month (0 = none)", "month", kind="scalar",
            f=f"{{=IF(MAX({STRESS})>0,MATCH(TRUE,{STRESS}>0,0),0)}}",
            note="The first month of the term with the rent shock in force, a trigger breach or a default event: "
                 "from then on buyers want the crunch haircut."),
        Row("stress_haircut", "Haircut a seller takes", "%",
            f="=IF(AND([first_stress_month]>0,[period]>=[first_stress_month]),secondary_crunch_haircut,"
              "secondary_normal_haircut)", f0="=secondary_normal_haircut",
            note="The normal haircut until the first stress event, the crunch haircut from its month on."),
    ]
    for j, name in enumerate(tranche_names, start=1):
        coupon = defined_name(f"structure.tranches.{j - 1}.coupon")
        fair = (f"=([fair_value_{j}@+1]+[distributions_{j}@+1])/(1+({coupon}+secondary_spread)/12)")
        rows += [
            Row(f"fair_value_{j}", f"{name}: fair value of the cash flows to come", "USD", f=fair, f0=fair,
                note="(Next month's fair value + next month's distributions) / (1 + (coupon + spread) / 12): the "
                     "class's remaining modelled cash flows at its market yield; 0 after the last flow."),
            Row(f"exit_value_{j}", f"{name}: bid (exit value)", "USD", f=f"=[fair_value_{j}]*(1-[stress_haircut])",
                f0=f"=[fair_value_{j}]*(1-[stress_haircut])", note="Fair value less the haircut in force."),
            Row(f"exit_per_100_{j}", f"{name}: exit value per 100 invested", "per 100",
                f=f"=[exit_value_{j}]/[invested_{j}]*100", f0=f"=[exit_value_{j}]/[invested_{j}]*100",
                note="What selling the whole holding this month brings, per 100 invested."),
            Row(f"promised_per_100_{j}", f"{name}: promised value per 100 invested (par claim)", "per 100",
                f=f"=IF([period]<[sale_month],([balance_close_{j}]+[interest_unpaid_{j}])/[invested_{j}]*100,0)",
                f0=f"=IF([period]<[sale_month],([balance_close_{j}]+[interest_unpaid_{j}])/[invested_{j}]*100,0)",
                note="'Sell any time': the balance plus interest arrears the token stands for, per 100 invested, "
                     "until the sale settles the claim."),
            Row(f"exit_gap_per_100_{j}", f"{name}: promised less exit value, per 100", "per 100",
                f=f"=[promised_per_100_{j}]-[exit_per_100_{j}]", f0=f"=[promised_per_100_{j}]-[exit_per_100_{j}]",
                note="The liquidity illusion in one row: what the holder was told the token is worth, less the bid."),
            Row(f"exit_per_100_at_first_stress_{j}", f"{name}: exit value per 100 at the first stress", "per 100",
                kind="scalar", f=f'=IF([first_stress_month]>0,INDEX([exit_per_100_{j}@all0],1,[first_stress_month]+1),"n/a")',
                note="The bid per 100 invested in the month the first stress event happens; n/a without one."),
        ]
    return rows
