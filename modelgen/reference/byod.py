"""Reference model of bring-your-own-GPU economics (MODEL.md section 8): plain loops over months
m = 1..H, keyed like the rows of the BYOD ROI sheet.

The owner earns hire income (real usage) and block rewards (the network's declining emission
shared by a growing number of devices), pays power (idle and busy draw) and bandwidth, and
unplugs in a month whose income is below its costs. At the horizon the GPU is sold and the stake
the network requires comes back, both counted as cash. The staking block shows the other use of
the money: the token's inflation, the staking APR it pays and the real yield left after it.
"""
from __future__ import annotations

from ..config import Byod
from .abs_model import SheetValues
from .metrics import NA, NEVER
from .node_sale import cumulative, irr_shown


def run_byod(b: Byod, columns: int, days: float, irr_floor: float = -0.99) -> dict[str, SheetValues]:
    """The BYOD ROI sheet over months 0..columns."""
    H, M, lock = columns, b.horizon_months, b.lock_months
    months = list(range(H + 1))
    later = months[1:]
    sheet = SheetValues()
    p, s = sheet.periods, sheet.scalars
    hours = b.hours_per_month
    p["byod_month"] = months
    inh = p["byod_in_horizon"] = [None] + [1 if m <= M else 0 for m in later]
    emission = p["network_emission"] = [None] + [b.network_emission_month * (1 - b.emission_decay_annual) ** ((m - 1) / 12)
                                                 for m in later]
    devices = p["devices_online"] = [None] + [b.devices0 * (1 + b.device_growth_monthly) ** (m - 1) for m in later]
    block = p["block_reward_tokens"] = [None] + [emission[m] * b.device_reward_share / devices[m] for m in later]

    # The token price: drift, and dilution by the network's emission where the supply is given.
    staking = b.circulating0 is not None
    if staking:
        supply = p["network_circulating"] = cumulative(emission, b.circulating0)
        dilution = p["byod_dilution_factor"] = [None] + [(b.circulating0 / supply[m - 1]) ** b.dilution_elasticity
                                                         for m in later]
    else:
        dilution = [None] + [1.0] * H
    price = p["byod_token_price"] = [None] + [b.token_price0 * (1 + b.token_drift_annual) ** ((m - 1) / 12) * dilution[m]
                                              for m in later]

    # What a month plugged in would bring and cost; the owner unplugs when it loses money.
    hire_on = p["hire_if_running"] = [None] + [b.hire_share * hours * b.hire_price * (1 - b.platform_fee) for m in later]
    reward_on = p["block_value_if_running"] = [None] + [block[m] * price[m] for m in later]
    power_on = p["power_if_running"] = [None] + [(b.idle_power_w + (b.power_w - b.idle_power_w) * b.hire_share) * hours / 1000
                                                 * b.power_price for m in later]
    running = p["byod_running"] = [None] + [0 if (b.rational_shutdown and hire_on[m] + reward_on[m] < power_on[m]
                                                  + b.bandwidth_month) else 1 for m in later]
    earned = p["block_tokens_earned"] = [None] + [running[m] * block[m] for m in later]
    airdrop = p["airdrop_tokens"] = [None] + [inh[m] * (b.airdrop_tokens if m == b.airdrop_month else 0) for m in later]

    p["hire_income"] = [None] + [inh[m] * running[m] * hire_on[m] for m in later]
    p["block_reward_income"] = [None] + [inh[m] * (earned[m - lock] * price[m] if m > lock else 0) for m in later]
    p["airdrop_income"] = [None] + [inh[m] * (airdrop[m - lock] * price[m] if m > lock else 0) for m in later]
    p["power_cost"] = [None] + [inh[m] * running[m] * power_on[m] for m in later]
    p["bandwidth_cost"] = [None] + [inh[m] * running[m] * b.bandwidth_month for m in later]
    s["gpu_resale_horizon"] = b.gpu_cost * (1 - b.resale_decline_annual) ** (M / 12)
    p["gpu_resale"] = [None] + [s["gpu_resale_horizon"] if m == M else 0 for m in later]
    p["stake_returned"] = [None] + [b.stake_tokens * price[m] if m == M else 0 for m in later]
    s["byod_invested"] = b.gpu_cost + b.stake_tokens * b.token_price0
    net = p["byod_net_cash"] = [-s["byod_invested"]] + [
        p["hire_income"][m] + p["block_reward_income"][m] + p["airdrop_income"][m] - p["power_cost"][m]
        - p["bandwidth_cost"][m] + p["gpu_resale"][m] + p["stake_returned"][m] for m in later]
    cum = p["byod_cum_cash"] = cumulative(net, net[0])
    for key in ("hire_income", "block_reward_income", "airdrop_income", "power_cost", "bandwidth_cost", "gpu_resale",
                "stake_returned", "byod_net_cash"):
        s[key] = sum(p[key][1:])
    income = s["hire_income"] + s["block_reward_income"] + s["airdrop_income"]
    s["byod_payback_month"] = next((m for m in later if cum[m] >= 0), NEVER)
    s["byod_roi"] = cum[M] / s["byod_invested"]
    s["byod_irr"] = irr_shown(net[:M + 1], irr_floor)
    s["usage_share_of_income"] = s["hire_income"] / income if income > 0 else NA

    if staking:
        st = b.staking
        inflation = p["inflation_annual"] = [None] + [12 * emission[m] / supply[m - 1] for m in later]
        apr = p["staking_apr"] = [None] + [inflation[m] * st.staking_reward_share / st.bonded_ratio for m in later]
        p["staking_real_yield"] = [None] + [(1 + apr[m]) / (1 + inflation[m]) - 1 for m in later]
        staked = [b.gpu_cost / b.token_price0 if b.token_price0 > 0 else 0.0]
        for m in later:
            staked.append(staked[-1] * (1 + inh[m] * apr[m] / 12))
        p["staked_tokens"] = staked
        p["staking_value"] = [staked[0] * b.token_price0] + [staked[m] * price[m] for m in later]
        s["staking_apr_month1"] = apr[1]
        s["staking_real_yield_month1"] = p["staking_real_yield"][1]
        s["staking_value_horizon"] = p["staking_value"][M]
        s["staking_roi"] = s["staking_value_horizon"] / b.gpu_cost - 1
    return {"BYOD ROI": sheet}
