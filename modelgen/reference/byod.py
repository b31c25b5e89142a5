"""Reference model of bring-your-own-GPU economics (docs/model.md): plain loops over months
m = 1..H, keyed like the rows of the BYOD ROI sheet.

The owner earns hire income (real usage) and block rewards (the network's declining emission
shared by a growing number of devices), pays power (idle and busy draw) and bandwidth, and
unplugs in a month whose income is below its costs. At the horizon the GPU is sold and the stake
the network requires comes back, both counted as cash. The staking block shows the other use of
the money: the token's inflation, the staking APR it pays and the real yield left after it.
"""
from __future__ import annotations

from collections.abc import Callable

from ..config import Byod
from .abs_model import SheetValues
from .metrics import NA, NEVER
from .node_sale import cumulative, irr_guess_values, irr_shown, shown


def run_byod(b: Byod, columns: int, days: float, irr_floor: float = -0.99) -> dict[str, SheetValues]:
    """The BYOD ROI sheet over months 0..columns (monthly lists hold a 0 at t = 0, not shown)."""
    H, M, lock = columns, b.horizon_months, b.lock_months
    later = range(1, H + 1)

    def monthly(value: Callable[[int], float]) -> list[float]:
        return [0.0] + [float(value(m)) for m in later]

    sheet = SheetValues()
    p, s = sheet.periods, sheet.scalars
    hours = b.hours_per_month
    idle = b.idle_power_w if b.idle_power_w is not None else b.power_w
    p["byod_month"] = list(range(H + 1))
    inh = monthly(lambda m: 1 if m <= M else 0)
    emission = monthly(lambda m: b.network_emission_month * (1 - b.emission_decay_annual) ** ((m - 1) / 12))
    devices = monthly(lambda m: b.devices0 * (1 + b.device_growth_monthly) ** (m - 1))
    block = monthly(lambda m: emission[m] * b.device_reward_share / devices[m])
    p["byod_in_horizon"], p["network_emission"] = shown(inh), shown(emission)
    p["devices_online"], p["block_reward_tokens"] = shown(devices), shown(block)

    # The token price: drift, and dilution by the network's emission where the supply is given.
    circulating0 = b.circulating0
    dilution = monthly(lambda m: 1.0)
    supply: list[float] = []
    if circulating0 is not None:
        supply = cumulative(emission, circulating0)
        dilution = monthly(lambda m: (circulating0 / supply[m - 1]) ** b.dilution_elasticity)
        p["network_circulating"], p["byod_dilution_factor"] = supply, shown(dilution)
    price = monthly(lambda m: b.token_price0 * (1 + b.token_drift_annual) ** ((m - 1) / 12) * dilution[m])
    p["byod_token_price"] = shown(price)

    # What a month plugged in would bring and cost; the owner unplugs when it loses money.
    hire_on = monthly(lambda m: b.hire_share * hours * b.hire_price * (1 - b.platform_fee))
    reward_on = monthly(lambda m: block[m] * price[m])
    power_on = monthly(lambda m: (idle + (b.power_w - idle) * b.hire_share) * hours / 1000 * b.power_price)
    running = monthly(lambda m: 0 if (b.rational_shutdown and hire_on[m] + reward_on[m] < power_on[m] + b.bandwidth_month)
                      else 1)
    earned = monthly(lambda m: running[m] * block[m])
    airdrop = monthly(lambda m: inh[m] * (b.airdrop_tokens if m == b.airdrop_month else 0))
    p["hire_if_running"], p["block_value_if_running"] = shown(hire_on), shown(reward_on)
    p["power_if_running"], p["byod_running"] = shown(power_on), shown(running)
    p["block_tokens_earned"], p["airdrop_tokens"] = shown(earned), shown(airdrop)

    resale = b.gpu_cost * (1 - b.resale_decline_annual) ** (M / 12)
    invested = b.gpu_cost + b.stake_tokens * b.token_price0
    flows = {
        "hire_income": monthly(lambda m: inh[m] * running[m] * hire_on[m]),
        "block_reward_income": monthly(lambda m: inh[m] * (earned[m - lock] * price[m] if m > lock else 0)),
        "airdrop_income": monthly(lambda m: inh[m] * (airdrop[m - lock] * price[m] if m > lock else 0)),
        "power_cost": monthly(lambda m: inh[m] * running[m] * power_on[m]),
        "bandwidth_cost": monthly(lambda m: inh[m] * running[m] * b.bandwidth_month),
        "gpu_resale": monthly(lambda m: resale if m == M else 0),
        "stake_returned": monthly(lambda m: b.stake_tokens * price[m] if m == M else 0),
    }
    f = flows
    net = [-invested] + [f["hire_income"][m] + f["block_reward_income"][m] + f["airdrop_income"][m] - f["power_cost"][m]
                         - f["bandwidth_cost"][m] + f["gpu_resale"][m] + f["stake_returned"][m] for m in later]
    cum = cumulative(net, net[0])
    for key, values in flows.items():
        p[key], s[key] = shown(values), sum(values[1:])
    p["byod_net_cash"], s["byod_net_cash"], p["byod_cum_cash"] = net, sum(net[1:]), cum
    s["gpu_resale_horizon"], s["byod_invested"] = resale, invested
    hire = sum(f["hire_income"][1:])
    income = hire + sum(f["block_reward_income"][1:]) + sum(f["airdrop_income"][1:])
    s["byod_payback_month"] = next((m for m in later if cum[m] >= 0), NEVER)
    s["byod_roi"] = cum[M] / invested
    s["byod_irr"] = irr_shown(net[:M + 1], irr_floor)
    s.update(irr_guess_values("byod", net))
    s["usage_share_of_income"] = hire / income if income > 0 else NA

    if circulating0 is not None:
        st = b.staking
        inflation = monthly(lambda m: 12 * emission[m] / supply[m - 1])
        apr = monthly(lambda m: inflation[m] * st.staking_reward_share / st.bonded_ratio)
        real = monthly(lambda m: (1 + apr[m]) / (1 + inflation[m]) - 1)
        staked = [b.gpu_cost / b.token_price0]
        for m in later:
            staked.append(staked[-1] * (1 + inh[m] * apr[m] / 12))
        value = [staked[0] * b.token_price0] + [staked[m] * price[m] for m in later]
        p["inflation_annual"], p["staking_apr"], p["staking_real_yield"] = shown(inflation), shown(apr), shown(real)
        p["staked_tokens"], p["staking_value"] = staked, value
        s["staking_apr_month1"], s["staking_real_yield_month1"] = apr[1], real[1]
        s["staking_value_horizon"] = value[M]
        s["staking_roi"] = value[M] / b.gpu_cost - 1
    return {"BYOD ROI": sheet}
