//! Every error code we answer Payme with, its localized message and its `data` (PROTOCOLS.md §1.1, §1.4).

use std::borrow::Cow;

use serde::Serialize;

/// A message in the three languages Payme shows (`{"ru","uz","en"}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Localized {
    pub ru: &'static str,
    pub uz: &'static str,
    pub en: &'static str,
}

/// One error answer. `code` is Payme's; `data` names the failing field (required for the account range
/// -31050..-31099) or carries a short detail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PaymeError {
    pub code: i32,
    pub message: Localized,
    pub data: Option<Cow<'static, str>>,
}

/// Our codes inside Payme's account range -31050..-31099 (PROTOCOLS.md §1.4, DOMAIN.md "Payments": a second
/// pending transaction is refused in this range). The numbers within the range are ours to choose.
///
/// Sources disagree on the "another transaction is pending" case: the PHP template answers -31008 in
/// `CheckPerformTransaction`, and ubranch's `merchant-api.md` checklist says -31008 in `CreateTransaction`;
/// payme-pkg uses -31099. DOMAIN.md settles it for us: the account range, so [`PENDING_PAYMENT`].
pub mod account {
    /// The order (`account.order_id`) is missing or unknown.
    pub const ORDER_NOT_FOUND: i32 = -31050;
    /// Another transaction is already pending for this one-time order.
    pub const PENDING_PAYMENT: i32 = -31051;
    /// The order is already paid.
    pub const ALREADY_PAID: i32 = -31052;
    /// The order expired or was cancelled.
    pub const NOT_PAYABLE: i32 = -31053;
}

const fn err(
    code: i32,
    ru: &'static str,
    uz: &'static str,
    en: &'static str,
    data: Option<&'static str>,
) -> PaymeError {
    PaymeError {
        code,
        message: Localized { ru, uz, en },
        data: match data {
            Some(field) => Some(Cow::Borrowed(field)),
            None => None,
        },
    }
}

impl PaymeError {
    /// -32300: the request was not a POST.
    pub const fn not_post() -> Self {
        err(
            -32300,
            "Метод запроса должен быть POST",
            "So'rov usuli POST bo'lishi kerak",
            "Request method must be POST",
            None,
        )
    }

    /// -32700: the body is not JSON.
    pub const fn parse_error() -> Self {
        err(
            -32700,
            "Ошибка разбора JSON",
            "JSON tahlilida xatolik",
            "JSON parse error",
            None,
        )
    }

    /// -32600: not a JSON-RPC object, or `params` of the wrong shape; `data` names the field when known.
    pub const fn invalid_request(data: Option<&'static str>) -> Self {
        err(
            -32600,
            "Неверный JSON-RPC объект",
            "Noto'g'ri JSON-RPC obyekti",
            "Invalid JSON-RPC object",
            data,
        )
    }

    /// -32601: unknown method; `data` is the method name received (PROTOCOLS.md §1.4), cut to 64
    /// characters.
    pub fn method_not_found(method: &str) -> Self {
        let mut e = err(
            -32601,
            "Метод не найден",
            "Usul topilmadi",
            "Method not found",
            None,
        );
        e.data = Some(Cow::Owned(method.chars().take(64).collect()));
        e
    }

    /// -32504: bad or missing Basic auth, or `ChangePassword` to the current key.
    pub const fn insufficient_privilege() -> Self {
        err(
            -32504,
            "Недостаточно привилегий для выполнения метода",
            "Usulni bajarish uchun huquq yetarli emas",
            "Insufficient privilege to perform this method",
            None,
        )
    }

    /// -32400: our system failed (database down and the like).
    pub const fn internal() -> Self {
        err(-32400, "Системная ошибка", "Tizim xatosi", "System error", None)
    }

    /// -31001: the amount does not match the order.
    pub const fn wrong_amount() -> Self {
        err(
            -31001,
            "Неверная сумма",
            "Noto'g'ri summa",
            "Wrong amount",
            Some("amount"),
        )
    }

    /// -31003: no transaction with this Payme id.
    pub const fn tx_not_found() -> Self {
        err(
            -31003,
            "Транзакция не найдена",
            "Tranzaksiya topilmadi",
            "Transaction not found",
            Some("id"),
        )
    }

    /// -31007: the order was delivered, the transaction cannot be cancelled.
    pub const fn cannot_cancel() -> Self {
        err(
            -31007,
            "Заказ выполнен. Невозможно отменить транзакцию",
            "Buyurtma bajarilgan. Tranzaksiyani bekor qilib bo'lmaydi",
            "Order completed. Unable to cancel the transaction",
            Some("id"),
        )
    }

    /// -31008: the operation is impossible in the transaction's state, or it expired.
    pub const fn cannot_perform() -> Self {
        err(
            -31008,
            "Невозможно выполнить операцию",
            "Amalni bajarib bo'lmaydi",
            "Unable to perform the operation",
            Some("id"),
        )
    }

    /// -31050: the order is missing or unknown.
    pub const fn order_not_found() -> Self {
        err(
            account::ORDER_NOT_FOUND,
            "Заказ не найден",
            "Buyurtma topilmadi",
            "Order not found",
            Some("order_id"),
        )
    }

    /// -31051: another transaction is pending for this order.
    pub const fn pending_payment() -> Self {
        err(
            account::PENDING_PAYMENT,
            "Заказ ожидает оплаты другой транзакцией",
            "Buyurtma boshqa tranzaksiya orqali to'lovni kutmoqda",
            "The order is awaiting payment by another transaction",
            Some("order_id"),
        )
    }

    /// -31052: the order is already paid.
    pub const fn already_paid() -> Self {
        err(
            account::ALREADY_PAID,
            "Заказ уже оплачен",
            "Buyurtma allaqachon to'langan",
            "The order is already paid",
            Some("order_id"),
        )
    }

    /// -31053: the order expired or was cancelled.
    pub const fn not_payable() -> Self {
        err(
            account::NOT_PAYABLE,
            "Заказ просрочен или отменён",
            "Buyurtma muddati o'tgan yoki bekor qilingan",
            "The order has expired or was cancelled",
            Some("order_id"),
        )
    }

    /// -32001 (`SetFiscalData`): no receipt/transaction with this id.
    pub const fn receipt_not_found() -> Self {
        err(
            -32001,
            "Чек не найден",
            "Chek topilmadi",
            "Receipt not found",
            Some("id"),
        )
    }

    /// -32602 (`SetFiscalData`): invalid params; `data` names the field.
    pub const fn invalid_params(data: &'static str) -> Self {
        err(
            -32602,
            "Неверные параметры",
            "Noto'g'ri parametrlar",
            "Invalid params",
            Some(data),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_the_documented_number_and_every_message_is_in_three_languages() {
        let all = [
            (PaymeError::not_post(), -32300),
            (PaymeError::parse_error(), -32700),
            (PaymeError::invalid_request(None), -32600),
            (PaymeError::method_not_found("Refund"), -32601),
            (PaymeError::insufficient_privilege(), -32504),
            (PaymeError::internal(), -32400),
            (PaymeError::wrong_amount(), -31001),
            (PaymeError::tx_not_found(), -31003),
            (PaymeError::cannot_cancel(), -31007),
            (PaymeError::cannot_perform(), -31008),
            (PaymeError::order_not_found(), -31050),
            (PaymeError::pending_payment(), -31051),
            (PaymeError::already_paid(), -31052),
            (PaymeError::not_payable(), -31053),
            (PaymeError::receipt_not_found(), -32001),
            (PaymeError::invalid_params("type"), -32602),
        ];
        for (e, code) in all {
            assert_eq!(e.code, code);
            assert!(!e.message.ru.is_empty() && !e.message.uz.is_empty() && !e.message.en.is_empty());
            if (-31099..=-31050).contains(&code) {
                assert_eq!(
                    e.data.as_deref(),
                    Some("order_id"),
                    "account errors name the field"
                );
            }
        }
    }
}
