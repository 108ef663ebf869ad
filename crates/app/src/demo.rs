//! `vendhub seed --demo`: a demo fleet in the first organization (2 locations, 20 machines of mixed types,
//! 30 products with IKPU codes and prices, a warehouse, 3 operators and a manager). Idempotent: an
//! organization that has machines already is left alone. Later areas add their demo data here.

use std::fmt;

use vendhub_domain::ids::{OrganizationId, UserId};
use vendhub_domain::roles::Role;
use vendhub_store::locations::LocationRow;
use vendhub_store::machines::MachineRow;
use vendhub_store::products::ProductRow;
use vendhub_store::warehouses::WarehouseRow;
use vendhub_store::{
    StoreError, TenantScope, locations, machines, organizations, products, users, warehouses,
};

use crate::auth::password_hash;
use crate::setup::DEFAULT_ORG_SLUG;
use crate::{App, AppError};

/// What the demo seed did, printed by the CLI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DemoSummary {
    Created {
        locations: usize,
        machines: usize,
        products: usize,
        staff: Vec<String>,
        staff_password: String,
    },
    AlreadyThere,
}

impl fmt::Display for DemoSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::AlreadyThere => write!(f, "Demo data exists already; nothing added."),
            Self::Created {
                locations,
                machines,
                products,
                staff,
                staff_password,
            } => write!(
                f,
                "Demo data: {locations} locations, {machines} machines, {products} products, 1 warehouse, staff {} \
                 (password for all demo staff: {staff_password})",
                staff.join(", ")
            ),
        }
    }
}

/// (sku, name uz, name ru, name en, price in so'm, cost in so'm, IKPU/MXIK code)
const PRODUCTS: [(&str, &str, &str, &str, i64, i64, &str); 30] = [
    (
        "COLA-05",
        "Coca-Cola 0,5 l",
        "Кока-Кола 0,5 л",
        "Coca-Cola 0.5 l",
        9_000,
        6_200,
        "02202001001000001",
    ),
    (
        "PEPSI-05",
        "Pepsi 0,5 l",
        "Пепси 0,5 л",
        "Pepsi 0.5 l",
        8_500,
        5_900,
        "02202001001000002",
    ),
    (
        "FANTA-05",
        "Fanta 0,5 l",
        "Фанта 0,5 л",
        "Fanta 0.5 l",
        9_000,
        6_200,
        "02202001001000003",
    ),
    (
        "SPRITE-05",
        "Sprite 0,5 l",
        "Спрайт 0,5 л",
        "Sprite 0.5 l",
        9_000,
        6_200,
        "02202001001000004",
    ),
    (
        "WATER-05",
        "Suv 0,5 l",
        "Вода 0,5 л",
        "Water 0.5 l",
        4_000,
        2_100,
        "02201001001000001",
    ),
    (
        "WATER-15",
        "Suv 1,5 l",
        "Вода 1,5 л",
        "Water 1.5 l",
        6_000,
        3_300,
        "02201001001000002",
    ),
    (
        "HYDRO-05",
        "Gazli suv 0,5 l",
        "Газ. вода 0,5 л",
        "Sparkling water 0.5 l",
        5_000,
        2_700,
        "02201001002000001",
    ),
    (
        "ICETEA-05",
        "Muzli choy 0,5 l",
        "Холодный чай 0,5 л",
        "Ice tea 0.5 l",
        10_000,
        6_800,
        "02202009001000001",
    ),
    (
        "JUICE-02",
        "Sharbat 0,2 l",
        "Сок 0,2 л",
        "Juice 0.2 l",
        6_000,
        3_900,
        "02009001001000001",
    ),
    (
        "ENERGY-045",
        "Energetik 0,45 l",
        "Энергетик 0,45 л",
        "Energy drink 0.45 l",
        15_000,
        10_500,
        "02202009002000001",
    ),
    (
        "SNICKERS",
        "Snickers 50 g",
        "Сникерс 50 г",
        "Snickers 50 g",
        9_000,
        6_300,
        "01806320001000001",
    ),
    (
        "MARS",
        "Mars 51 g",
        "Марс 51 г",
        "Mars 51 g",
        9_000,
        6_300,
        "01806320001000002",
    ),
    (
        "TWIX",
        "Twix 55 g",
        "Твикс 55 г",
        "Twix 55 g",
        9_000,
        6_300,
        "01806320001000003",
    ),
    (
        "BOUNTY",
        "Bounty 55 g",
        "Баунти 55 г",
        "Bounty 55 g",
        9_500,
        6_600,
        "01806320001000004",
    ),
    (
        "KITKAT",
        "KitKat 40 g",
        "КитКат 40 г",
        "KitKat 40 g",
        8_000,
        5_600,
        "01806320001000005",
    ),
    (
        "LAYS-80",
        "Lay's 80 g",
        "Лейс 80 г",
        "Lay's 80 g",
        12_000,
        8_400,
        "02005202001000001",
    ),
    (
        "PRINGLES-40",
        "Pringles 40 g",
        "Принглс 40 г",
        "Pringles 40 g",
        14_000,
        9_800,
        "02005202001000002",
    ),
    (
        "CRACKERS",
        "Kreker 60 g",
        "Крекер 60 г",
        "Crackers 60 g",
        5_000,
        3_200,
        "01905902001000001",
    ),
    (
        "WAFER",
        "Vafli 70 g",
        "Вафли 70 г",
        "Wafers 70 g",
        6_000,
        3_900,
        "01905320001000001",
    ),
    (
        "NUTS-50",
        "Yong'oq 50 g",
        "Орехи 50 г",
        "Nuts 50 g",
        11_000,
        7_300,
        "00802909001000001",
    ),
    (
        "ESPRESSO",
        "Espresso",
        "Эспрессо",
        "Espresso",
        10_000,
        2_500,
        "00901210001000001",
    ),
    (
        "AMERICANO",
        "Americano",
        "Американо",
        "Americano",
        12_000,
        2_800,
        "00901210001000002",
    ),
    (
        "CAPPUCCINO",
        "Kapuchino",
        "Капучино",
        "Cappuccino",
        15_000,
        3_900,
        "00901210001000003",
    ),
    (
        "LATTE",
        "Latte",
        "Латте",
        "Latte",
        16_000,
        4_200,
        "00901210001000004",
    ),
    (
        "HOTCHOC",
        "Issiq shokolad",
        "Горячий шоколад",
        "Hot chocolate",
        14_000,
        3_600,
        "01806900001000001",
    ),
    (
        "TEA-BLACK",
        "Qora choy",
        "Чёрный чай",
        "Black tea",
        6_000,
        1_100,
        "00902300001000001",
    ),
    (
        "SANDWICH",
        "Sendvich",
        "Сэндвич",
        "Sandwich",
        18_000,
        11_500,
        "01602320001000001",
    ),
    (
        "SALAD",
        "Salat",
        "Салат",
        "Salad",
        22_000,
        14_000,
        "02005999001000001",
    ),
    (
        "ICECREAM-CUP",
        "Muzqaymoq stakanda",
        "Мороженое стакан",
        "Ice cream cup",
        8_000,
        5_000,
        "02105000001000001",
    ),
    (
        "ICECREAM-STICK",
        "Muzqaymoq eskimo",
        "Эскимо",
        "Ice cream stick",
        10_000,
        6_500,
        "02105000001000002",
    ),
];

const MACHINE_TYPES: [(&str, &str); 7] = [
    ("snack", "Necta Snakky"),
    ("drink", "Bianchi BVM 972"),
    ("coffee", "Rheavendors Luce X2"),
    ("combo", "Jofemar Vision"),
    ("fresh", "Sielaff FK 184"),
    ("water", "AquaVend 300"),
    ("ice_cream", "Fas Faster 900"),
];

/// The scope of the organization the demo seeds.
fn demo_scope(org: OrganizationId) -> TenantScope {
    #[expect(
        clippy::disallowed_methods,
        reason = "the organization an operator's `vendhub seed --demo` seeds, found by its slug, in no request"
    )]
    TenantScope::authenticated(org)
}

fn som(n: i64) -> i64 {
    n * 100
}

/// Adds the demo fleet to the first organization unless it has machines already.
pub async fn seed(app: &App) -> Result<DemoSummary, AppError> {
    let Some(org) = app
        .db()
        .run(|c| organizations::find_by_slug(c, DEFAULT_ORG_SLUG))
        .await?
    else {
        return Err(
            crate::error::Rule::NoOrganization.refuse("no organization yet: run `vendhub seed` first")
        );
    };
    let org_id: OrganizationId = org.id.parse().map_err(AppError::internal)?;
    let scope = demo_scope(org_id);
    let counted = scope.clone();
    if app.db().run(move |c| machines::count(c, &counted)).await? > 0 {
        return Ok(DemoSummary::AlreadyThere);
    }
    let staff_password = password_hash::generate();
    let hash = {
        let p = staff_password.clone();
        tokio::task::spawn_blocking(move || password_hash::hash(&p))
            .await
            .map_err(AppError::internal)??
    };
    let staff: Vec<(String, &'static str, Role)> = vec![
        ("manager@demo.vendhub.uz".into(), "Dilshod Karimov", Role::Manager),
        ("operator1@demo.vendhub.uz".into(), "Aziz Rahimov", Role::Operator),
        (
            "operator2@demo.vendhub.uz".into(),
            "Bekzod Tursunov",
            Role::Operator,
        ),
        (
            "operator3@demo.vendhub.uz".into(),
            "Sardor Aliyev",
            Role::Operator,
        ),
    ];
    let emails: Vec<String> = staff.iter().map(|s| s.0.clone()).collect();
    let scope2 = scope.clone();
    app.db()
        .run(move |conn| {
            vendhub_store::write::<_, StoreError, _>(conn, |conn| insert_demo(conn, &scope, &staff, &hash))
        })
        .await?;
    // Field tasks in every state, with photos (files through the files port).
    let photo_keys = app
        .db()
        .run(move |conn| {
            vendhub_store::write::<_, StoreError, _>(conn, |conn| crate::tasks::demo::insert(conn, &scope2))
        })
        .await?;
    for key in photo_keys {
        let photo = bytes::Bytes::from_static(crate::tasks::demo::DEMO_PHOTO);
        app.blobs()
            .put(&key, photo)
            .await
            .map_err(|e| AppError::Unavailable(format!("file storage: {e}")))?;
    }
    Ok(DemoSummary::Created {
        locations: 2,
        machines: 20,
        products: PRODUCTS.len(),
        staff: emails,
        staff_password,
    })
}

fn insert_demo(
    conn: &mut vendhub_store::DbConn,
    scope: &TenantScope,
    staff: &[(String, &'static str, Role)],
    hash: &str,
) -> Result<(), StoreError> {
    let org = scope.id();
    let now = vendhub_store::now();
    let org_s = org.to_string();
    let mut operators = Vec::new();
    for (email, name, role) in staff {
        let id = UserId::new();
        users::insert_member(
            conn,
            scope,
            &users::NewMember {
                id,
                organization_id: org,
                email,
                full_name: name,
                password_hash: hash,
                role: *role,
            },
        )?;
        if *role == Role::Operator {
            operators.push(id.to_string());
        }
    }
    let sites = [
        (
            "Samarqand Darvoza",
            "Tashkent, Qoratosh ko'chasi 5A",
            41.3165,
            69.2495,
            "rent",
            som(2_500_000),
            0,
        ),
        (
            "Tashkent City Mall",
            "Tashkent, Furqat ko'chasi 1",
            41.3135,
            69.2480,
            "revenue_share",
            0,
            12,
        ),
    ];
    let mut location_ids = Vec::new();
    for (name, address, lat, lon, contract, rent, share) in sites {
        let id = uuid::Uuid::now_v7().to_string();
        locations::insert(
            conn,
            scope,
            &LocationRow {
                id: id.clone(),
                organization_id: org_s.clone(),
                name: name.into(),
                address: address.into(),
                latitude: Some(lat),
                longitude: Some(lon),
                contact_name: Some("Administrator".into()),
                contact_phone: Some("+998 71 200 00 00".into()),
                opening_hours: Some("08:00-22:00".into()),
                contract_type: contract.into(),
                rent_amount: rent,
                revenue_share_percent: share,
                created_at: now,
                updated_at: now,
                deleted_at: None,
            },
        )?;
        location_ids.push(id);
    }
    for i in 0..20usize {
        let (kind, model) = MACHINE_TYPES[i % MACHINE_TYPES.len()];
        let payments = if i % 3 == 0 {
            r#"["cash"]"#
        } else {
            r#"["cash","card","payme","click","uzum"]"#
        };
        machines::insert(
            conn,
            scope,
            &MachineRow {
                id: uuid::Uuid::now_v7().to_string(),
                organization_id: org_s.clone(),
                number: format!("VH-{:03}", i + 1),
                name: format!("{} #{}", model, i + 1),
                machine_type: kind.into(),
                model: Some(model.into()),
                serial_number: Some(format!("SN{:08}", 24_000_000 + i * 7919)),
                location_id: location_ids.get(i % location_ids.len()).cloned(),
                operator_id: operators.get(i % operators.len().max(1)).cloned(),
                status: "active".into(),
                accepted_payments: payments.into(),
                cash_capacity: som(5_000_000),
                last_seen_at: None,
                created_at: now,
                updated_at: now,
                deleted_at: None,
            },
        )?;
    }
    insert_catalog(conn, scope, now)?;
    insert_stock(conn, scope, now)
}

/// The first machine's planogram saved as the "Standard 8-slot" template.
fn insert_template(
    conn: &mut vendhub_store::DbConn,
    org: OrganizationId,
    slots: &[vendhub_store::planograms::SlotRow],
    now: chrono::NaiveDateTime,
) -> Result<(), StoreError> {
    let template: Vec<serde_json::Value> = slots
        .iter()
        .map(|s| {
            serde_json::json!({ "slot": s.code, "product_id": s.product_id, "capacity": s.capacity,
                "par_level": s.par_level, "price": s.price })
        })
        .collect();
    vendhub_store::planograms::insert_template(
        conn,
        &demo_scope(org),
        &vendhub_store::planograms::TemplateRow {
            id: uuid::Uuid::now_v7().to_string(),
            organization_id: org.to_string(),
            name: "Standard 8-slot".into(),
            slots: serde_json::Value::Array(template).to_string(),
            created_at: now,
            deleted_at: None,
        },
    )
}

/// Eight slots (A1-A4, B1-B4) with products rotating through the catalog.
fn demo_planogram(
    org: &str,
    machine: &str,
    catalog: &[ProductRow],
    i: usize,
    now: chrono::NaiveDateTime,
) -> Vec<vendhub_store::planograms::SlotRow> {
    (0..8usize)
        .map(|j| vendhub_store::planograms::SlotRow {
            id: uuid::Uuid::now_v7().to_string(),
            organization_id: org.to_owned(),
            machine_id: machine.to_owned(),
            code: format!("{}{}", if j < 4 { 'A' } else { 'B' }, j % 4 + 1),
            product_id: catalog[(i * 5 + j) % catalog.len()].id.clone(),
            capacity: 12,
            par_level: 10,
            price: None,
            created_at: now,
            updated_at: now,
        })
        .collect()
}

/// One demo movement through the ledger; a refusal is a bug in the demo data.
fn demo_post(
    conn: &mut vendhub_store::DbConn,
    scope: &TenantScope,
    route: Result<crate::stock::ledger::Route, vendhub_domain::stock::StockError>,
    product: &str,
    qty: i64,
    cost: i64,
    capacity: Option<i64>,
) -> Result<(), StoreError> {
    use crate::stock::ledger::{self, Movement, Reference};
    let corrupt = |e: &dyn fmt::Display| StoreError::Corrupt(format!("demo stock refused: {e}"));
    let route = route.map_err(|e| corrupt(&e))?;
    let product = product.parse().map_err(|e| corrupt(&e))?;
    let qty = vendhub_domain::stock::Qty::movement(qty).map_err(|e| corrupt(&e))?;
    let m = Movement::new(route, product, qty, vendhub_store::now())
        .cost(vendhub_domain::money::Tiyin::new(cost))
        .reference(Reference::Demo)
        .into_capacity(capacity);
    ledger::post(conn, scope, &m).map_err(|e| corrupt(&AppError::from(e)))?;
    Ok(())
}

/// Planograms for every machine (8 slots), warehouse stock bought at cost, and slots refilled through
/// their operators: all through the ledger, so balances and movements agree.
fn insert_stock(
    conn: &mut vendhub_store::DbConn,
    scope: &TenantScope,
    now: chrono::NaiveDateTime,
) -> Result<(), StoreError> {
    use vendhub_domain::stock::{Holder, MovementKind, SlotCode};

    use crate::stock::ledger::Route;
    let corrupt = |e: &dyn fmt::Display| StoreError::Corrupt(format!("demo stock: {e}"));
    let org = scope.id();
    let org_s = org.to_string();
    let catalog = products::list(conn, scope)?;
    let warehouse = vendhub_store::warehouses::list(conn, scope)?
        .into_iter()
        .next()
        .ok_or(StoreError::NotFound)?;
    let warehouse_holder = Holder::Warehouse(warehouse.id.parse().map_err(|e| corrupt(&e))?);
    for p in &catalog {
        let route = Route::new(MovementKind::Purchase, None, Some(warehouse_holder.clone()));
        demo_post(conn, scope, route, &p.id, 400, p.cost, None)?;
    }
    let (machines, _) = machines::list(
        conn,
        &demo_scope(org),
        &machines::MachineFilter {
            sort: "number".into(),
            ..machines::MachineFilter::default()
        },
        0,
        100,
    )?;
    for (i, m) in machines.iter().enumerate() {
        let slots = demo_planogram(&org_s, &m.id, &catalog, i, now);
        vendhub_store::planograms::replace(conn, &demo_scope(org), &m.id, &slots)?;
        if i == 0 {
            insert_template(conn, org, &slots, now)?;
        }
        let Some(operator) = &m.operator_id else {
            continue;
        };
        let operator = Holder::Operator(operator.parse().map_err(|e| corrupt(&e))?);
        let machine = m.id.parse().map_err(|e| corrupt(&e))?;
        for (j, slot) in slots.iter().enumerate() {
            // A varied fill, a few slots already below the low-stock threshold.
            let qty = i64::try_from((i * 7 + j * 3) % 10 + 1).unwrap_or(5);
            let holder = Holder::Slot {
                machine,
                slot: SlotCode::parse(&slot.code).map_err(|e| corrupt(&e))?,
            };
            let to_operator = Route::between(warehouse_holder.clone(), operator.clone());
            demo_post(conn, scope, to_operator, &slot.product_id, qty, 0, None)?;
            let into_slot = Route::between(operator.clone(), holder);
            demo_post(
                conn,
                scope,
                into_slot,
                &slot.product_id,
                qty,
                0,
                Some(slot.capacity),
            )?;
        }
    }
    Ok(())
}

fn insert_catalog(
    conn: &mut vendhub_store::DbConn,
    scope: &TenantScope,
    now: chrono::NaiveDateTime,
) -> Result<(), StoreError> {
    let org_s = scope.org();
    for (n, (sku, uz, ru, en, price, cost, ikpu)) in PRODUCTS.iter().enumerate() {
        products::insert(
            conn,
            scope,
            &ProductRow {
                id: uuid::Uuid::now_v7().to_string(),
                organization_id: org_s.to_owned(),
                sku: (*sku).into(),
                barcode: Some(format!("47800{:08}", 1_000 + n)),
                name_uz: (*uz).into(),
                name_ru: (*ru).into(),
                name_en: (*en).into(),
                unit: "pcs".into(),
                price: som(*price),
                cost: som(*cost),
                vat_rate: 12,
                ikpu_code: Some((*ikpu).into()),
                package_code: Some("1501491".into()),
                category_id: None,
                image_key: None,
                created_at: now,
                updated_at: now,
                deleted_at: None,
            },
        )?;
    }
    warehouses::insert(
        conn,
        scope,
        &WarehouseRow {
            id: uuid::Uuid::now_v7().to_string(),
            organization_id: org_s.to_owned(),
            name: "Main warehouse".into(),
            address: "Tashkent, Sergeli 7".into(),
            created_at: now,
            updated_at: now,
            deleted_at: None,
        },
    )?;
    Ok(())
}
