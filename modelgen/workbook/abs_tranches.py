"""The Tranches sheet (docs/model.md sections 1 and 4): sources and uses at close, the sale of the fleet and
its priority of payments, and a corkscrew per class.

The sale stays out of the balances the monthly waterfall reads: the waterfall moves its own
corkscrews, and the sale's payments land in rows of their own that the Returns sheet reads.
"""
from __future__ import annotations

from ..glossary import defined_name
from ..waterfall import fee_steps
from .layout import Row, SheetSpec, section


def _at_sale(key: str) -> str:
    """The value of a period row in the sale month."""
    return f"INDEX([{key}@all],1,[sale_month])"


def sources_uses_rows(J: int, tranche_names: list[str]) -> list[Row]:
    # Senior fees in month 1: a rate on the raise (balance_annual) or a fixed amount (fixed_month).
    rates = [defined_name(f.rate) for f in fee_steps() if f.basis == "balance_annual" and f.rate]
    fixed = "".join(f"+{defined_name(f.rate)}" for f in fee_steps() if f.basis == "fixed_month" and f.rate)
    on_raise = "".join(f"+[raise_amount]*{rate}/12" for rate in rates)
    opex1 = f"([opex_month1]{fixed})" if fixed else "[opex_month1]"
    rows = [
        section("Sources and uses at close (t = 0)"),
        Row("capex", "GPU capex (uses)", "USD", kind="scalar",
            f="=assets_gpu_count*assets_gpu_unit_price*(1+assets_ancillary_capex_pct)",
            note="GPUs x unit price x (1 + ancillary capex for servers, network and install)."),
        Row("opex_month1", "Operating costs of month 1", "USD", kind="scalar",
            f="=assets_gpu_count*opex_kw_per_gpu*opex_pue*revenue_hours_per_month*opex_power_price*(opex_idle_power_share"
              "+(1-opex_idle_power_share)*INDEX([utilisation@all],1,1))+assets_gpu_count*opex_kw_per_gpu*opex_colo_per_kw_month"
              "+[capex]*opex_maintenance_pct_annual/12+opex_fixed_opex_month",
            note="opex_1: energy at month 1's utilisation + colocation + maintenance + fixed (what the reserve is "
                 "sized on, with the month-1 fee and class-1 interest)."),
        Row("raise_amount", "Raise from token holders (sources)", "USD", kind="scalar",
            f=f"=([capex]+structure_reserve_months*{opex1})/(1-fees_issuance_fee_pct-structure_reserve_months*"
              f"({'+'.join(rates + ['tranche1_share*tranche1_coupon'])})/12)",
            note="R = (capex + reserve_months x opex_1) / (1 - issuance fee - reserve_months x (management fee + "
                 "class-1 share x class-1 coupon) / 12): closed form, so raise = capex + reserve + fee with no "
                 "circular reference (a fixed monthly senior fee joins opex_1)."),
        Row("issuance_fee", "Issuance fee to the platform (uses)", "USD", kind="scalar",
            f="=[raise_amount]*fees_issuance_fee_pct", note="R x issuance_fee_pct."),
        Row("reserve_funded", "Liquidity reserve funded at close (uses)", "USD", kind="scalar",
            f=f"=structure_reserve_months*([opex_month1]{fixed}{on_raise}+[raise_amount]*tranche1_share*tranche1_coupon/12)",
            note="reserve_months x (month-1 operating costs + month-1 management fee + month-1 class-1 interest)."),
    ]
    for j, name in zip(range(1, J + 1), tranche_names):
        rows.append(Row(f"invested_{j}", f"{name}: invested", "USD", kind="scalar", f=f"=[raise_amount]*tranche{j}_share",
                        note="R x the class's share."))
    rows.append(Row("retained_invested", f"Platform's retained slice of {tranche_names[-1]}", "USD", kind="scalar",
                    f=f"=structure_platform_retention*[invested_{J}]",
                    note="platform_retention x the most junior class: bought by the platform like any investor."))
    return rows


def sale_rows(J: int, tranche_names: list[str]) -> list[Row]:
    rows = [
        section("Sale of the fleet (liquidation or maturity) and its priority of payments"),
        Row("sale_collateral_value", "Collateral value in the sale month", "USD", kind="scalar",
            f=f"={_at_sale('collateral_value')}", note="CV in month S."),
        Row("sale_fire_discount", "Fire-sale discount applied", "%", kind="scalar",
            f="=IF([default_month]>0,default_fire_sale_discount,0)", note="Only after a default; none at maturity."),
        Row("sale_price_gross", "Sale price paid by the buyers", "USD", kind="scalar",
            f="=[sale_collateral_value]*(1-[sale_fire_discount])", note="CV_S x (1 - fire-sale discount)."),
        Row("sale_costs", "Sale costs (liquidation agent)", "USD", kind="scalar",
            f="=[sale_price_gross]*default_liquidation_cost_pct", note="Sale price x liquidation_cost_pct."),
        Row("sale_price_net", "Net sale price", "USD", kind="scalar", f="=[sale_price_gross]-[sale_costs]",
            note="Price less the sale costs."),
        Row("sale_reserve_balance", "Reserve balance released at the sale", "USD", kind="scalar",
            f=f"={_at_sale('reserve_close')}", note="The reserve's closing balance in month S."),
        Row("sale_proceeds", "Sale proceeds to distribute", "USD", kind="scalar",
            f="=[sale_price_net]+[sale_reserve_balance]", note="Net price plus the reserve balance."),
        Row("sale_opex_arrears", "Unpaid operating costs at the sale", "USD", kind="scalar",
            f=f"={_at_sale('opex_unpaid')}", note="Operating costs still owed to the power and colocation providers."),
        Row("sale_opex_paid", "Unpaid operating costs paid from the sale", "USD", kind="scalar",
            f="=MIN([sale_proceeds],[sale_opex_arrears])", note="Paid first."),
        Row("sale_fee_arrears", "Unpaid fees at the sale", "USD", kind="scalar",
            f="=" + "+".join(_at_sale(f"{fee.name}_unpaid") for fee in fee_steps()),
            note="Senior fees still owed to the platform."),
        Row("sale_fee_paid", "Unpaid fees paid from the sale", "USD", kind="scalar",
            f="=MIN([sale_proceeds]-[sale_opex_paid],[sale_fee_arrears])", note="Paid second."),
        Row("proceeds_after_senior_costs", "Proceeds left for the notes", "USD", kind="scalar",
            f="=[sale_proceeds]-[sale_opex_paid]-[sale_fee_paid]", note="After operating cost and fee arrears."),
    ]
    left = "proceeds_after_senior_costs"
    for j, name in zip(range(1, J + 1), tranche_names):
        rows += [
            Row(f"sale_interest_{j}", f"{name}: interest arrears paid from the sale", "USD", kind="scalar",
                f=f"=MIN([{left}],{_at_sale(f'interest_unpaid_{j}')})",
                note="The class's interest arrears in month S (accrued through the liquidation lag), as far as the "
                     "proceeds go."),
            Row(f"sale_principal_{j}", f"{name}: principal paid from the sale", "USD", kind="scalar",
                f=f"=MIN([{left}]-[sale_interest_{j}],{_at_sale(f'balance_close_{j}')})",
                note="Then the class's balance in month S."),
            Row(f"proceeds_left_{j}", f"Proceeds left after {name}", "USD", kind="scalar",
                f=f"=[{left}]-[sale_interest_{j}]-[sale_principal_{j}]", note="For the classes below."),
            Row(f"loss_{j}", f"{name}: principal written off", "USD", kind="scalar",
                f=f"={_at_sale(f'balance_close_{j}')}-[sale_principal_{j}]",
                note="Balance not repaid by the waterfall or the sale: the class's loss."),
        ]
        left = f"proceeds_left_{j}"
    rows += [
        Row("sale_excess_junior", f"Sale proceeds left to {tranche_names[-1]}", "USD", kind="scalar",
            f=f"=[{left}]*structure_junior_excess_share", note="junior_excess_share of what is left after every class."),
        Row("sale_to_sponsor", "Sale proceeds left to the sponsor", "USD", kind="scalar",
            f=f"=[{left}]-[sale_excess_junior]", note="The rest."),
    ]
    return rows


def corkscrew_rows(j: int, name: str, J: int) -> list[Row]:
    rows = [
        section(f"{name} corkscrew"),
        Row(f"balance_open_{j}", f"{name}: balance, opening", "USD", f=f"=[balance_close_{j}@-1]",
            note="Last month's closing balance."),
        Row(f"balance_close_{j}", f"{name}: balance, closing (waterfall)", "USD",
            f=f"=[balance_open_{j}]-[principal_paid_{j}]+[interest_capitalised_{j}]", f0=f"=[invested_{j}]",
            note="Opening - principal paid + interest capitalised in a holiday month. Moved by the monthly waterfall "
                 "only; the sale lands in the rows below."),
        Row(f"sale_interest_received_{j}", f"{name}: interest arrears from the sale", "USD",
            f=f"=[sale_flag]*[sale_interest_{j}]", note="In the sale month."),
        Row(f"sale_principal_received_{j}", f"{name}: principal from the sale", "USD",
            f=f"=[sale_flag]*[sale_principal_{j}]", note="In the sale month."),
    ]
    if j == J:
        rows.append(Row("sale_excess_received", f"{name}: sale proceeds left after every class", "USD",
                        f="=[sale_flag]*[sale_excess_junior]", note="In the sale month."))
    rows += [
        Row(f"principal_written_off_{j}", f"{name}: principal written off", "USD", f=f"=[sale_flag]*[loss_{j}]",
            note="In the sale month: the balance the sale did not repay."),
        Row(f"notes_outstanding_{j}", f"{name}: notes outstanding after the sale", "USD",
            f=f"=[notes_outstanding_{j}@-1]-[principal_paid_{j}]+[interest_capitalised_{j}]-[sale_principal_received_{j}]"
              f"-[principal_written_off_{j}]",
            f0=f"=[invested_{j}]", note="The waterfall's balance less what the sale repaid or wrote off: 0 from the "
                                       "sale month on."),
    ]
    return rows


def tranches_sheet(tranche_names: list[str]) -> SheetSpec:
    J = len(tranche_names)
    s = SheetSpec("Tranches", "Sources and uses, the sale, and a corkscrew per tranche",
                  "Sources and uses at close with the liquidity reserve (section 1), the sale of the fleet and its "
                  "priority of payments (section 4), and each class's balance month by month.")
    s.add(*sources_uses_rows(J, tranche_names), *sale_rows(J, tranche_names))
    for j, name in zip(range(1, J + 1), tranche_names):
        s.add(*corkscrew_rows(j, name, J))
    s.add(section("All classes"),
          Row("balance_close_total", "Notes outstanding, closing (waterfall)", "USD",
              f="=" + "+".join(f"[balance_close_{j}]" for j in range(1, J + 1)),
              f0="=" + "+".join(f"[balance_close_{j}]" for j in range(1, J + 1)),
              note="Sum of every class's closing balance."))
    return s
