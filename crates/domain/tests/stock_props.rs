//! Properties of the stock rules: no sequence of movements makes a balance negative or overfills a
//! slot, stock only enters or leaves the ledger by the kinds that may, average costs stay between the
//! costs averaged, and pre-kit never asks for more than fits.

use std::collections::BTreeMap;

use proptest::prelude::*;
use uuid::Uuid;
use vendhub_domain::ids::{MachineId, ProductId, UserId, WarehouseId};
use vendhub_domain::money::Tiyin;
use vendhub_domain::planogram::{DEFAULT_LOW_STOCK_PERCENT, crossed_low};
use vendhub_domain::prekit::{DailySales, PrekitSlot, pick_list, slot_need};
use vendhub_domain::stock::{
    Balance, Count, Discrepancy, Holder, MovementKind, Qty, SlotCode, StockError, apply, moving_average,
    stocktake, validate_route,
};

fn qty(n: i64) -> Qty {
    Qty::new(n).unwrap_or_else(|e| panic!("{e}"))
}

/// Two warehouses, two operators and three slots of two machines, with the slots' capacities.
fn fleet() -> Vec<(Holder, Option<Qty>)> {
    let (m1, m2) = (MachineId::new(), MachineId::new());
    let slot = |machine, code: &str| Holder::Slot {
        machine,
        slot: SlotCode::parse(code).unwrap_or_else(|e| panic!("{e}")),
    };
    vec![
        (Holder::Warehouse(WarehouseId::new()), None),
        (Holder::Warehouse(WarehouseId::new()), None),
        (Holder::Operator(UserId::new()), None),
        (Holder::Operator(UserId::new()), None),
        (slot(m1, "A1"), Some(qty(10))),
        (slot(m1, "A2"), Some(qty(5))),
        (slot(m2, "A1"), Some(qty(20))),
    ]
}

/// A movement attempt: a kind, two ends (an index past the fleet is outside) and a quantity (maybe 0).
/// Four in five take a route some kind allows, so most attempts reach `apply`.
fn attempts() -> impl Strategy<Value = Vec<(MovementKind, usize, usize, i64)>> {
    let fleet = fleet();
    let ends = || (0..=fleet.len()).map(|i| fleet.get(i).map(|(h, _)| h));
    let mut routes = Vec::new();
    for kind in MovementKind::ALL {
        for (from, from_holder) in ends().enumerate() {
            for (to, to_holder) in ends().enumerate() {
                if validate_route(kind, from_holder, to_holder).is_ok() {
                    routes.push((kind, from, to));
                }
            }
        }
    }
    let allowed = prop::sample::select(routes);
    let any = (
        prop::sample::select(MovementKind::ALL.to_vec()),
        0..=fleet.len(),
        0..=fleet.len(),
    );
    let route = prop_oneof![4 => allowed, 1 => any];
    prop::collection::vec((route, 0..25i64).prop_map(|((k, f, t), n)| (k, f, t, n)), 1..200)
}

proptest! {
    #[test]
    fn no_movement_sequence_breaks_a_balance_or_a_capacity(
        attempts in attempts()
    ) {
        let fleet = fleet();
        let mut balances = vec![Qty::ZERO; fleet.len()];
        let (mut inflow, mut outflow) = (0i128, 0i128);
        for (kind, from, to, n) in attempts {
            let from_holder = fleet.get(from).map(|(h, _)| h);
            let to_holder = fleet.get(to).map(|(h, _)| h);
            if validate_route(kind, from_holder, to_holder).is_err() {
                continue;
            }
            // Only these kinds may bring stock in from outside, or take it out.
            if from_holder.is_none() {
                prop_assert!(matches!(kind, MovementKind::Purchase | MovementKind::Adjustment));
            }
            if to_holder.is_none() {
                prop_assert!(matches!(
                    kind,
                    MovementKind::Sale | MovementKind::WriteOff | MovementKind::Adjustment
                ));
            }
            let Ok(moved) = Qty::movement(n) else {
                prop_assert_eq!(
                    apply(None, to_holder.map(|holder| Balance { holder, qty: Qty::ZERO }), Qty::ZERO, None),
                    Err(StockError::QtyNotPositive(0))
                );
                continue;
            };
            let from_balance = from_holder.map(|holder| Balance { holder, qty: balances[from] });
            let to_balance = to_holder.map(|holder| Balance { holder, qty: balances[to] });
            let capacity = fleet.get(to).and_then(|(_, capacity)| *capacity);
            match apply(from_balance, to_balance, moved, capacity) {
                Ok((new_from, new_to)) => {
                    if let Some(new_from) = new_from {
                        balances[from] = new_from;
                    } else {
                        inflow += i128::from(n);
                    }
                    if let Some(new_to) = new_to {
                        balances[to] = new_to;
                    } else {
                        outflow += i128::from(n);
                    }
                }
                Err(StockError::Insufficient { available, requested, .. }) => {
                    prop_assert!(available < requested);
                    prop_assert_eq!(available, balances[from]);
                }
                Err(StockError::OverCapacity { capacity: cap, would_be, .. }) => {
                    prop_assert_eq!(Some(cap), capacity);
                    prop_assert!(would_be > cap);
                }
                Err(other) => prop_assert!(false, "unexpected refusal: {other}"),
            }
            for ((_, capacity), balance) in fleet.iter().zip(&balances) {
                prop_assert!(balance.get() >= 0);
                if let Some(capacity) = capacity {
                    prop_assert!(balance <= capacity);
                }
            }
            let held: i128 = balances.iter().map(|b| i128::from(b.get())).sum();
            prop_assert_eq!(held, inflow - outflow);
        }
    }

    #[test]
    fn moving_average_stays_between_the_costs_averaged(
        current in 0i64..=i64::MAX,
        incoming in 1i64..=i64::MAX,
        current_cost in 0i64..=i64::MAX,
        incoming_cost in 0i64..=i64::MAX,
    ) {
        let avg = moving_average(qty(current), Tiyin::new(current_cost), qty(incoming), Tiyin::new(incoming_cost))
            .unwrap()
            .get();
        if current == 0 {
            prop_assert_eq!(avg, incoming_cost);
        }
        prop_assert!(avg >= current_cost.min(incoming_cost));
        prop_assert!(avg <= current_cost.max(incoming_cost));
    }

    #[test]
    fn pre_kit_never_asks_for_more_than_fits_or_than_par(
        slots in prop::collection::vec(
            (0..3usize, 0..4usize, prop::option::of(0i64..120), 0i64..120, 0i64..100, 0i64..50, 0u32..30, 0u32..60),
            0..40,
        )
    ) {
        let machines = [MachineId::new(), MachineId::new(), MachineId::new()];
        let products = [ProductId::new(), ProductId::new(), ProductId::new(), ProductId::new()];
        let slots: Vec<PrekitSlot> = slots
            .into_iter()
            .map(|(m, p, balance, par, capacity, sold, days, since)| PrekitSlot {
                machine: machines[m],
                slot: SlotCode::parse("A1").unwrap(),
                product: products[p],
                balance: balance.map(qty),
                par_level: qty(par),
                capacity: qty(capacity),
                avg_daily_sales: DailySales::new(qty(sold), days),
                days_since_last_refill: since,
            })
            .collect();
        let mut expected: BTreeMap<ProductId, i64> = BTreeMap::new();
        for slot in &slots {
            let need = slot_need(slot);
            prop_assert!(need <= slot.par_level && need <= slot.capacity);
            if let Some(balance) = slot.balance {
                prop_assert!(need <= slot.capacity.saturating_sub(balance));
                prop_assert!(need.get() + balance.get() <= slot.par_level.get().max(balance.get()));
            }
            *expected.entry(slot.product).or_default() += need.get();
        }
        expected.retain(|_, total| *total > 0);
        let list = pick_list(&slots).unwrap();
        let totals: BTreeMap<ProductId, i64> = list.iter().map(|line| (line.product, line.total.get())).collect();
        prop_assert_eq!(totals, expected);
        prop_assert!(list.windows(2).all(|pair| pair[0].product < pair[1].product));
        for line in &list {
            let per_machine: i64 = line.machines.iter().map(|m| m.qty.get()).sum();
            prop_assert_eq!(per_machine, line.total.get());
            prop_assert!(line.machines.iter().all(|m| m.qty.get() > 0));
        }
    }

    #[test]
    fn posting_a_stocktake_brings_the_ledger_to_the_count(
        counts in prop::collection::vec((0i64..1_000, 0i64..1_000, 0i64..100_000), 0..20)
    ) {
        let counts: Vec<Count> = counts
            .into_iter()
            .map(|(counted, ledger, cost)| Count {
                product: ProductId::new(),
                counted: qty(counted),
                ledger: qty(ledger),
                unit_cost: Tiyin::new(cost),
            })
            .collect();
        let lines = stocktake(&counts).unwrap();
        for count in &counts {
            let line = lines.iter().find(|line| line.product == count.product);
            let posted = match line {
                None => 0,
                Some(line) => {
                    prop_assert!(!line.difference.is_zero());
                    prop_assert_eq!(line.value.get(), line.difference.get() * count.unit_cost.get());
                    match line.discrepancy {
                        Discrepancy::Shortage => -line.difference.get(),
                        Discrepancy::Surplus => line.difference.get(),
                    }
                }
            };
            prop_assert_eq!(count.ledger.get() + posted, count.counted.get());
        }
    }

    #[test]
    fn low_stock_fires_at_most_once_while_a_slot_sells_down(
        par in 0i64..200,
        start in 0i64..200,
        sales in prop::collection::vec(1i64..5, 0..80),
    ) {
        let mut balance = start;
        let mut fired = 0;
        for sold in sales {
            let after = (balance - sold).max(0);
            if crossed_low(qty(balance), qty(after), qty(par), DEFAULT_LOW_STOCK_PERCENT) {
                fired += 1;
            }
            balance = after;
        }
        prop_assert!(fired <= 1);
    }

    #[test]
    fn holders_round_trip_through_their_stored_text(
        id in any::<u128>(),
        kind in 0..3u8,
        code in "[A-Za-z]{1,2}[0-9]{1,2}",
    ) {
        let uuid = Uuid::from_u128(id);
        let holder = match kind {
            0 => Holder::Warehouse(WarehouseId::from_uuid(uuid)),
            1 => Holder::Operator(UserId::from_uuid(uuid)),
            _ => Holder::Slot { machine: MachineId::from_uuid(uuid), slot: SlotCode::parse(&code).unwrap() },
        };
        prop_assert_eq!(holder.to_string().parse::<Holder>().unwrap(), holder);
    }
}
