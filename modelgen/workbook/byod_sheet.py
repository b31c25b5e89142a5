"""The BYOD ROI sheet (docs/model.md) as row specs: a GPU owner's month, the decision to
unplug, the horizon's resale and stake, and the staking block (where the template gives the
network's circulating supply)."""
from __future__ import annotations

from ..config import Byod
from .layout import Row, SheetSpec, section
from .node_sheets import irr_guess, irr_guess_rows

BYOD_IRR = f"(1+IRR([byod_net_cash@all0],{irr_guess('byod', '[byod_invested]')}))^12-1"


def byod_sheet(horizon: int | None, b: Byod) -> SheetSpec:
    s = SheetSpec("BYOD ROI", "Bring-your-own-GPU ROI, month by month",
                  "A GPU owner joining a DePIN network: hire income from real usage against "
                  "block rewards from a declining emission diluted by a growing network, power idle and busy, the "
                  "month's decision to unplug, the GPU's resale and the stake at the horizon, and staking instead.",
                  horizon=horizon, period_label="N")
    staking = b.circulating0 is not None
    s.add(
        section("Network, rewards and the token"),
        Row("byod_month", "Month since joining", "month", f="=[byod_month@-1]+1", f0="=0",
            note="Months since the GPU joined (0 = the purchase)."),
        Row("byod_in_horizon", "Within the horizon", "flag", f="=IF([byod_month]<=byod_horizon_months,1,0)",
            note="1 in the months returns are measured over."),
        Row("network_emission", "Network emission", "tokens",
            f="=byod_network_emission_month*(1-byod_emission_decay_annual)^(([byod_month]-1)/12)",
            note="Month-1 emission x (1 - annual decline)^((m - 1) / 12)."),
        Row("devices_online", "Devices online", "#", f="=byod_devices0*(1+byod_device_growth_monthly)^([byod_month]-1)",
            note="The network grows every month: the emission is shared by more devices (dilution)."),
        Row("block_reward_tokens", "Block-reward tokens per device online", "tokens",
            f="=[network_emission]*byod_device_reward_share/[devices_online]",
            note="The devices' share of the emission, split equally among the devices online."),
    )
    dilution = ""
    if staking:
        s.add(
            Row("network_circulating", "Network circulating supply at the end of the month", "tokens",
                f="=[network_circulating@-1]+[network_emission]", f0="=byod_circulating0",
                note="Supply at the start plus the emission to date."),
            Row("byod_dilution_factor", "Dilution factor", "x",
                f="=(byod_circulating0/[network_circulating@-1])^byod_dilution_elasticity",
                note="(Supply at the start / supply at the start of the month)^elasticity: 1 when the elasticity is 0."),
        )
        dilution = "*[byod_dilution_factor]"
    s.add(
        Row("byod_token_price", "Token price", "USD/token",
            f=f"=byod_token_price0*(1+byod_token_drift_annual)^(([byod_month]-1)/12){dilution}",
            note="Start price x (1 + annual drift)^((m - 1) / 12)" + (" x dilution factor." if staking else ".")),
        section("A month plugged in, and the decision to unplug"),
        Row("hire_if_running", "Hire income if plugged in", "USD",
            f="=byod_hire_share*byod_hours_per_month*byod_hire_price*(1-byod_platform_fee)",
            note="Share of hours hired x hours x hire price, less the platform fee."),
        Row("block_value_if_running", "Block rewards if plugged in, at this month's price", "USD",
            f="=[block_reward_tokens]*[byod_token_price]", note="The month's block-reward tokens valued when earned."),
        Row("power_if_running", "Power if plugged in", "USD",
            f="=(byod_idle_power_w+(byod_power_w-byod_idle_power_w)*byod_hire_share)*byod_hours_per_month/1000"
              "*byod_power_price",
            note="(Idle draw + (busy - idle draw) x share hired) x hours / 1000 x power price: idle power all month, "
                 "full power while hired."),
        Row("byod_running", "GPU plugged in", "flag",
            f="=IF(AND(byod_rational_shutdown,[hire_if_running]+[block_value_if_running]<[power_if_running]"
              "+byod_bandwidth_month),0,1)",
            note="0 when rational shutdown is on and the month's income is below its power and bandwidth: unplugged, "
                 "no income, no cost."),
        Row("block_tokens_earned", "Block-reward tokens earned", "tokens", f="=[byod_running]*[block_reward_tokens]",
            note="Block rewards in the months the GPU is plugged in."),
        Row("airdrop_tokens", "Airdrop tokens received", "tokens",
            f="=[byod_in_horizon]*IF([byod_month]=byod_airdrop_month,byod_airdrop_tokens,0)",
            note="The airdrop, in its month (received whether or not the GPU is plugged in that month)."),
        section("Cash per month"),
        Row("hire_income", "Hire income (real usage)", "USD", f="=[byod_in_horizon]*[byod_running]*[hire_if_running]",
            d="=SUM([hire_income@all])", note="Hire income in the months plugged in."),
        Row("block_reward_income", "Block-reward income (sold after the lock-up)", "USD",
            f="=[byod_in_horizon]*IF([byod_month]>byod_lock_months,INDEX([block_tokens_earned@all],1,[byod_month]-"
              "byod_lock_months)*[byod_token_price],0)", d="=SUM([block_reward_income@all])",
            note="Tokens earned lock-up months ago, sold at this month's price."),
        Row("airdrop_income", "Airdrop income (sold after the lock-up)", "USD",
            f="=[byod_in_horizon]*IF([byod_month]>byod_lock_months,INDEX([airdrop_tokens@all],1,[byod_month]-"
              "byod_lock_months)*[byod_token_price],0)", d="=SUM([airdrop_income@all])",
            note="Airdrop tokens received lock-up months ago, sold at this month's price."),
        Row("power_cost", "Power", "USD", f="=[byod_in_horizon]*[byod_running]*[power_if_running]",
            d="=SUM([power_cost@all])", note="Power in the months plugged in."),
        Row("bandwidth_cost", "Bandwidth", "USD", f="=[byod_in_horizon]*[byod_running]*byod_bandwidth_month",
            d="=SUM([bandwidth_cost@all])", note="Bandwidth in the months plugged in."),
        Row("gpu_resale_horizon", "GPU resale value at the horizon", "USD", kind="scalar",
            f="=byod_gpu_cost*(1-byod_resale_decline_annual)^(byod_horizon_months/12)",
            note="GPU cost x (1 - annual resale decline)^(horizon / 12)."),
        Row("gpu_resale", "GPU sold at the horizon", "USD", f="=IF([byod_month]=byod_horizon_months,[gpu_resale_horizon],0)",
            d="=SUM([gpu_resale@all])", note="The resale value, as cash in the horizon's month."),
        Row("stake_returned", "Stake returned at the horizon", "USD",
            f="=IF([byod_month]=byod_horizon_months,byod_stake_tokens*[byod_token_price],0)", d="=SUM([stake_returned@all])",
            note="The stake the network requires, sold at the horizon's price."),
        Row("byod_invested", "Invested at the start (GPU and stake)", "USD", kind="scalar",
            f="=byod_gpu_cost+byod_stake_tokens*byod_token_price0", note="GPU cost plus the stake bought at the start price."),
        Row("byod_net_cash", "Net cash", "USD",
            f="=[hire_income]+[block_reward_income]+[airdrop_income]-[power_cost]-[bandwidth_cost]+[gpu_resale]"
              "+[stake_returned]", f0="=-[byod_invested]", d="=SUM([byod_net_cash@all])",
            note="Income less costs, plus the resale and the stake at the horizon; the start is the money invested."),
        Row("byod_cum_cash", "Cumulative cash", "USD", f="=[byod_cum_cash@-1]+[byod_net_cash]", f0="=[byod_net_cash]",
            note="Running total, from the money invested."),
        *irr_guess_rows("byod", "[byod_net_cash@all]", "[byod_month@all]", "Net cash: "),
        section("Results"),
        Row("byod_payback_month", "Payback month", "month", kind="scalar",
            f='{=IF(MAX([byod_cum_cash@all])>=0,MATCH(TRUE,[byod_cum_cash@all]>=0,0),"never")}',
            note="First month in which cumulative cash, the money invested included, is no longer negative."),
        Row("byod_roi", "ROI at the horizon", "%", kind="scalar",
            f="=INDEX([byod_cum_cash@all],1,byod_horizon_months)/[byod_invested]",
            note="Cumulative cash at the horizon (resale and stake counted) / money invested."),
        Row("byod_irr", "IRR (effective annual)", "%", kind="scalar",
            f=f'=IF(MAX([byod_net_cash@all])>0,IFERROR(IF({BYOD_IRR}<irr_floor_annual,"n/a",{BYOD_IRR}),"n/a"),"n/a")',
            note="(1 + monthly IRR of the net cash from the start)^12 - 1; n/a where no month brings cash in or it is "
                 "below the lowest IRR shown (Inputs, model settings)."),
        Row("usage_share_of_income", "Share of income from real usage", "%", kind="scalar",
            f='=IF(([hire_income@tot]+[block_reward_income@tot]+[airdrop_income@tot])>0,[hire_income@tot]/('
              '[hire_income@tot]+[block_reward_income@tot]+[airdrop_income@tot]),"n/a")',
            note="Near zero while the token rises: the rewards are emission alone."),
    )
    if staking:
        s.add(
            section("Staking instead of a GPU: yield against inflation"),
            Row("inflation_annual", "Token inflation (annualised)", "% / yr",
                f="=12*[network_emission]/[network_circulating@-1]",
                note="12 x the month's emission / the supply at the start of the month."),
            Row("staking_apr", "Staking APR", "% / yr",
                f="=[inflation_annual]*byod_staking_staking_reward_share/byod_staking_bonded_ratio",
                note="Inflation x the stakers' share of the emission / the share of the supply staked."),
            Row("staking_real_yield", "Real staking yield", "% / yr", f="=(1+[staking_apr])/(1+[inflation_annual])-1",
                note="(1 + APR) / (1 + inflation) - 1: negative whenever inflation exceeds the APR."),
            Row("staked_tokens", "Tokens staked, compounding", "tokens",
                f="=[staked_tokens@-1]*(1+[byod_in_horizon]*[staking_apr]/12)", f0="=byod_gpu_cost/byod_token_price0",
                note="The GPU's cost in tokens at the start, growing by APR / 12 a month within the horizon."),
            Row("staking_value", "Stake value", "USD", f="=[staked_tokens]*[byod_token_price]",
                f0="=[staked_tokens]*byod_token_price0", note="Tokens staked x this month's price."),
            Row("staking_apr_month1", "Staking APR in month 1", "% / yr", kind="scalar", f="=INDEX([staking_apr@all],1,1)",
                note="The APR a staker is quoted at the start."),
            Row("staking_real_yield_month1", "Real staking yield in month 1", "% / yr", kind="scalar",
                f="=INDEX([staking_real_yield@all],1,1)", note="What the quoted APR is worth after the inflation."),
            Row("staking_value_horizon", "Stake value at the horizon", "USD", kind="scalar",
                f="=INDEX([staking_value@all],1,byod_horizon_months)", note="The stake's value at the horizon's price."),
            Row("staking_roi", "Staking ROI at the horizon", "%", kind="scalar", f="=[staking_value_horizon]/byod_gpu_cost-1",
                note="Stake value at the horizon / the GPU's cost - 1: compare with the GPU's ROI."),
        )
    return s
