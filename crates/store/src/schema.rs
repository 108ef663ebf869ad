//! The diesel table definitions, written once for both backends (portable column types only).

diesel::table! {
    organizations (id) {
        id -> Text,
        name -> Text,
        slug -> Text,
        timezone -> Text,
        language -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        email -> Text,
        full_name -> Text,
        password_hash -> Text,
        status -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
        failed_logins -> Integer,
        locked_until -> Nullable<Timestamp>,
        totp_secret -> Nullable<Text>,
        totp_enabled -> Bool,
        totp_last_step -> Nullable<BigInt>,
        totp_failures -> Integer,
        totp_locked_until -> Nullable<Timestamp>,
        last_login_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    memberships (organization_id, user_id) {
        organization_id -> Text,
        user_id -> Text,
        role -> Text,
        created_at -> Timestamp,
        status -> Text,
    }
}

diesel::table! {
    jobs (id) {
        id -> Text,
        kind -> Text,
        payload -> Text,
        state -> Text,
        attempts -> Integer,
        max_attempts -> Integer,
        run_at -> Timestamp,
        locked_by -> Nullable<Text>,
        locked_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        dedupe_key -> Nullable<Text>,
        organization_id -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        finished_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    machine_api_keys (id) {
        id -> Text,
        organization_id -> Text,
        machine_id -> Text,
        label -> Text,
        prefix -> Text,
        key_hash -> Text,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    gateway_events (id) {
        id -> Text,
        organization_id -> Text,
        machine_id -> Text,
        event_id -> Text,
        kind -> Text,
        payload -> Text,
        occurred_at -> Nullable<Timestamp>,
        received_at -> Timestamp,
    }
}

diesel::table! {
    dex_audits (id) {
        id -> Text,
        organization_id -> Text,
        machine_id -> Text,
        counters -> Text,
        summary -> Text,
        expected_cash -> Nullable<BigInt>,
        received_at -> Timestamp,
    }
}

diesel::joinable!(memberships -> organizations (organization_id));
diesel::joinable!(memberships -> users (user_id));
diesel::joinable!(jobs -> organizations (organization_id));

diesel::table! {
    locations (id) {
        id -> Text,
        organization_id -> Text,
        name -> Text,
        address -> Text,
        latitude -> Nullable<Double>,
        longitude -> Nullable<Double>,
        contact_name -> Nullable<Text>,
        contact_phone -> Nullable<Text>,
        opening_hours -> Nullable<Text>,
        contract_type -> Text,
        rent_amount -> BigInt,
        revenue_share_percent -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    machines (id) {
        id -> Text,
        organization_id -> Text,
        number -> Text,
        name -> Text,
        machine_type -> Text,
        model -> Nullable<Text>,
        serial_number -> Nullable<Text>,
        location_id -> Nullable<Text>,
        operator_id -> Nullable<Text>,
        status -> Text,
        accepted_payments -> Text,
        cash_capacity -> BigInt,
        last_seen_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
        last_refill_at -> Nullable<Timestamp>,
        last_collection_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    products (id) {
        id -> Text,
        organization_id -> Text,
        sku -> Text,
        barcode -> Nullable<Text>,
        name_uz -> Text,
        name_ru -> Text,
        name_en -> Text,
        unit -> Text,
        price -> BigInt,
        cost -> BigInt,
        vat_rate -> Integer,
        ikpu_code -> Nullable<Text>,
        package_code -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
        category_id -> Nullable<Text>,
        image_key -> Nullable<Text>,
    }
}

diesel::table! {
    warehouses (id) {
        id -> Text,
        organization_id -> Text,
        name -> Text,
        address -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        user_id -> Text,
        organization_id -> Text,
        family_id -> Text,
        refresh_hash -> Text,
        ip -> Nullable<Text>,
        user_agent -> Nullable<Text>,
        created_at -> Timestamp,
        last_used_at -> Timestamp,
        expires_at -> Timestamp,
        rotated_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
        revoked_reason -> Nullable<Text>,
    }
}

diesel::table! {
    backup_codes (id) {
        id -> Text,
        user_id -> Text,
        code_hash -> Text,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    audit_log (seq) {
        seq -> BigInt,
        id -> Text,
        organization_id -> Nullable<Text>,
        actor_user_id -> Nullable<Text>,
        action -> Text,
        entity_type -> Text,
        entity_id -> Nullable<Text>,
        before_state -> Nullable<Text>,
        after_state -> Nullable<Text>,
        ip -> Nullable<Text>,
        request_id -> Nullable<Text>,
        at -> Timestamp,
        prev_hash -> Text,
        hash -> Text,
    }
}

diesel::table! {
    invites (id) {
        id -> Text,
        organization_id -> Text,
        code_hash -> Text,
        email -> Nullable<Text>,
        role -> Text,
        invited_by -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        used_by -> Nullable<Text>,
    }
}

diesel::table! {
    password_resets (id) {
        id -> Text,
        user_id -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    product_categories (id) {
        id -> Text,
        organization_id -> Text,
        name -> Text,
        created_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    machine_moves (id) {
        id -> Text,
        organization_id -> Text,
        machine_id -> Text,
        from_location_id -> Nullable<Text>,
        to_location_id -> Nullable<Text>,
        moved_by -> Nullable<Text>,
        moved_at -> Timestamp,
    }
}

diesel::table! {
    planogram_slots (id) {
        id -> Text,
        organization_id -> Text,
        machine_id -> Text,
        code -> Text,
        product_id -> Text,
        capacity -> BigInt,
        par_level -> BigInt,
        price -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    stock_movements (id) {
        id -> Text,
        organization_id -> Text,
        product_id -> Text,
        from_holder -> Nullable<Text>,
        to_holder -> Nullable<Text>,
        quantity -> BigInt,
        kind -> Text,
        unit_cost -> BigInt,
        reason -> Nullable<Text>,
        reference_type -> Nullable<Text>,
        reference_id -> Nullable<Text>,
        actor_id -> Nullable<Text>,
        at -> Timestamp,
    }
}

diesel::table! {
    stock_balances (organization_id, holder, product_id) {
        organization_id -> Text,
        holder -> Text,
        product_id -> Text,
        quantity -> BigInt,
        avg_cost -> BigInt,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    stocktakes (id) {
        id -> Text,
        organization_id -> Text,
        holder -> Text,
        status -> Text,
        started_by -> Nullable<Text>,
        started_at -> Timestamp,
        closed_at -> Nullable<Timestamp>,
        task_id -> Nullable<Text>,
    }
}

diesel::table! {
    stocktake_lines (stocktake_id, product_id) {
        stocktake_id -> Text,
        product_id -> Text,
        counted -> BigInt,
        counted_by -> Nullable<Text>,
    }
}

diesel::table! {
    planogram_templates (id) {
        id -> Text,
        organization_id -> Text,
        name -> Text,
        slots -> Text,
        created_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    sales (id) {
        id -> Text,
        organization_id -> Text,
        machine_id -> Text,
        slot_code -> Nullable<Text>,
        product_id -> Nullable<Text>,
        unit_price -> BigInt,
        quantity -> BigInt,
        amount -> BigInt,
        payment_method -> Text,
        source -> Text,
        source_id -> Text,
        flag -> Nullable<Text>,
        sold_at -> Timestamp,
        created_at -> Timestamp,
    }
}

diesel::table! {
    task_counters (organization_id) {
        organization_id -> Text,
        last_number -> BigInt,
    }
}

diesel::table! {
    tasks (id) {
        id -> Text,
        organization_id -> Text,
        number -> Text,
        task_type -> Text,
        status -> Text,
        priority -> Text,
        machine_id -> Text,
        assignee_id -> Nullable<Text>,
        created_by -> Nullable<Text>,
        title -> Text,
        description -> Nullable<Text>,
        due_at -> Nullable<Timestamp>,
        requires_photos -> Bool,
        status_reason -> Nullable<Text>,
        started_at -> Nullable<Timestamp>,
        completed_at -> Nullable<Timestamp>,
        completed_by -> Nullable<Text>,
        escalated_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    task_items (id) {
        id -> Text,
        task_id -> Text,
        product_id -> Text,
        slot_code -> Nullable<Text>,
        planned_qty -> BigInt,
        actual_qty -> Nullable<BigInt>,
    }
}

diesel::table! {
    task_comments (id) {
        id -> Text,
        task_id -> Text,
        author_id -> Nullable<Text>,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    task_checklist (id) {
        id -> Text,
        task_id -> Text,
        position -> BigInt,
        label -> Text,
        done -> Bool,
        done_by -> Nullable<Text>,
        done_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    task_photos (id) {
        id -> Text,
        organization_id -> Text,
        task_id -> Text,
        category -> Text,
        blob_key -> Text,
        content_type -> Text,
        size_bytes -> BigInt,
        latitude -> Nullable<Double>,
        longitude -> Nullable<Double>,
        uploaded_by -> Nullable<Text>,
        taken_at -> Timestamp,
    }
}

diesel::table! {
    cash_collections (id) {
        id -> Text,
        organization_id -> Text,
        machine_id -> Text,
        operator_id -> Nullable<Text>,
        task_id -> Nullable<Text>,
        counted -> BigInt,
        expected -> BigInt,
        over_short -> BigInt,
        bag_number -> Nullable<Text>,
        period_from -> Nullable<Timestamp>,
        collected_at -> Timestamp,
        confirmed_by -> Nullable<Text>,
        confirmed_at -> Nullable<Timestamp>,
        reversed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    orders (id) {
        id -> Text,
        organization_id -> Text,
        machine_id -> Text,
        slot_code -> Text,
        product_id -> Text,
        product_name -> Text,
        amount -> BigInt,
        status -> Text,
        provider -> Nullable<Text>,
        client_addr -> Nullable<Text>,
        language -> Nullable<Text>,
        expires_at -> Timestamp,
        paid_at -> Nullable<Timestamp>,
        dispensed_at -> Nullable<Timestamp>,
        refunded_at -> Nullable<Timestamp>,
        sale_id -> Nullable<Text>,
        reason -> Nullable<Text>,
        refund_requested_by -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    payment_transactions (id) {
        id -> Text,
        organization_id -> Text,
        order_id -> Text,
        provider -> Text,
        provider_tx_id -> Text,
        state -> Text,
        amount -> BigInt,
        provider_time -> Nullable<BigInt>,
        create_time -> BigInt,
        perform_time -> Nullable<BigInt>,
        cancel_time -> Nullable<BigInt>,
        reason -> Nullable<BigInt>,
        prepare_id -> Nullable<BigInt>,
        paydoc_id -> Nullable<BigInt>,
        fiscal_data -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    payment_calls (id) {
        id -> Text,
        organization_id -> Nullable<Text>,
        provider -> Text,
        method -> Text,
        order_id -> Nullable<Text>,
        provider_tx_id -> Nullable<Text>,
        request -> Text,
        response -> Text,
        http_status -> BigInt,
        outcome -> Text,
        received_at -> Timestamp,
    }
}

diesel::table! {
    machine_commands (id) {
        id -> Text,
        organization_id -> Text,
        machine_id -> Text,
        order_id -> Text,
        kind -> Text,
        slot_code -> Text,
        amount -> BigInt,
        status -> Text,
        reason -> Nullable<Text>,
        expires_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
        result_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    payment_accounts (organization_id, provider) {
        organization_id -> Text,
        provider -> Text,
        merchant_id -> Text,
        service_id -> Nullable<Text>,
        secret_sealed -> Text,
        test_secret_sealed -> Nullable<Text>,
        merchant_user_id -> Nullable<Text>,
        test_mode -> Bool,
        updated_by -> Nullable<Text>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    payment_counters (name) {
        name -> Text,
        last_value -> BigInt,
    }
}

diesel::table! {
    payment_key_overrides (provider, which) {
        provider -> Text,
        which -> Text,
        secret_sealed -> Text,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(machines -> locations (location_id));
diesel::joinable!(sessions -> users (user_id));
diesel::allow_tables_to_appear_in_same_query!(
    organizations,
    sales,
    users,
    memberships,
    jobs,
    locations,
    machines,
    products,
    warehouses,
    sessions,
    backup_codes,
    audit_log,
    invites,
    password_resets,
    product_categories,
    machine_moves,
    planogram_slots,
    stock_movements,
    stock_balances,
    stocktakes,
    stocktake_lines,
    planogram_templates,
    task_counters,
    tasks,
    task_items,
    task_comments,
    task_checklist,
    task_photos,
    cash_collections,
    machine_api_keys,
    gateway_events,
    dex_audits,
    orders,
    payment_transactions,
    payment_calls,
    machine_commands,
    payment_accounts,
    payment_counters,
    payment_key_overrides
);
diesel::joinable!(stock_balances -> products (product_id));
diesel::joinable!(planogram_slots -> products (product_id));
diesel::joinable!(planogram_slots -> machines (machine_id));
