//! The response envelope and the error catalogue.
//!
//! Every answer is `{"success", "code", "message", "data"?}`. Business errors travel with HTTP 200;
//! only 401, 403, 404, 429 and 500 use the matching HTTP status.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value as Json, json};

/// An error answer: HTTP status, body code and message.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    /// HTTP status sent with the envelope.
    pub http: StatusCode,
    /// The body `code`.
    pub code: i64,
    /// The body `message` (English).
    pub message: String,
    /// Whether the real server raises this from DTO validation, where it
    /// hangs or answers HTTP 500 with an array message instead of this envelope.
    pub dto: bool,
}

impl ApiError {
    /// A business error with HTTP 200 and body code `code`.
    pub fn business(code: i64, message: impl Into<String>) -> Self {
        ApiError {
            http: StatusCode::OK,
            code,
            message: message.into(),
            dto: false,
        }
    }

    /// Marks the error as a DTO-validation failure.
    pub fn dto(mut self) -> Self {
        self.dto = true;
        self
    }

    /// The real server's answer when exactly this DTO check fails together with another one:
    /// HTTP 500 with the message as an array (the "strict" form).
    pub fn strict_body(&self) -> Json {
        json!({"success": false, "code": 500, "message": [self.message]})
    }

    /// Code 400 with HTTP 200: the usual parameter error.
    pub fn bad(message: impl Into<String>) -> Self {
        Self::business(400, message)
    }

    /// HTTP 401 / code 401.
    pub fn unauthorized() -> Self {
        ApiError {
            http: StatusCode::UNAUTHORIZED,
            code: 401,
            message: "Unauthorized".into(),
            dto: false,
        }
    }

    /// HTTP 403 / code 403: the token's user is not a member of the space.
    pub fn not_in_space() -> Self {
        ApiError {
            http: StatusCode::FORBIDDEN,
            code: 403,
            message: "The API token user does not belong to the space, please adjust spaceId or API token and try again".into(),
            dto: false,
        }
    }

    /// HTTP 404 / code 404: unknown route.
    pub fn not_found() -> Self {
        ApiError {
            http: StatusCode::NOT_FOUND,
            code: 404,
            message: "The API does not exist".into(),
            dto: false,
        }
    }

    /// HTTP 429 / code 429.
    pub fn rate_limited(qps: u32) -> Self {
        ApiError {
            http: StatusCode::TOO_MANY_REQUESTS,
            code: 429,
            message: format!(
                "The API request rate for the current space is {qps} queries per second (QPS). Upgrading the space allows for a higher call frequency. Contact us: sales@aitable.ai."
            ),
            dto: false,
        }
    }

    /// HTTP 500 / code 500.
    pub fn server(detail: impl std::fmt::Display) -> Self {
        ApiError {
            http: StatusCode::INTERNAL_SERVER_ERROR,
            code: 500,
            message: format!("SERVER_ERROR ({detail})"),
            dto: false,
        }
    }

    /// HTTP 500 / code 304: the datasheet is full.
    pub fn record_limit(limit: usize) -> Self {
        ApiError {
            http: StatusCode::INTERNAL_SERVER_ERROR,
            code: 304,
            message: format!(
                "the usage of this function exceed the {limit} records limit of beta version"
            ),
            dto: false,
        }
    }

    /// The JSON body of this error.
    pub fn body(&self) -> Json {
        json!({"success": false, "code": self.code, "message": self.message})
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (code {})", self.message, self.code)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        json_response(self.http, &self.body(), false)
    }
}

/// A successful answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Success {
    /// HTTP status: 200, or 201 for POST.
    pub http: StatusCode,
    /// The `data` member, left out when `None`.
    pub data: Option<Json>,
}

impl Success {
    /// HTTP 200 with `data`.
    pub fn ok(data: Json) -> Self {
        Success {
            http: StatusCode::OK,
            data: Some(data),
        }
    }

    /// HTTP 201 with `data` (every successful POST).
    pub fn created(data: Json) -> Self {
        Success {
            http: StatusCode::CREATED,
            data: Some(data),
        }
    }

    /// HTTP 200 without `data` (DELETE records).
    pub fn empty() -> Self {
        Success {
            http: StatusCode::OK,
            data: None,
        }
    }
}

impl IntoResponse for Success {
    fn into_response(self) -> Response {
        let body = match self.data {
            Some(d) => json!({"success": true, "code": 200, "message": "SUCCESS", "data": d}),
            None => json!({"success": true, "code": 200, "message": "SUCCESS"}),
        };
        json_response(self.http, &body, true)
    }
}

/// The result type of every handler.
pub type ApiResult = Result<Success, ApiError>;

fn json_response(status: StatusCode, body: &Json, success: bool) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_else(|_| b"{}".to_vec());
    let mut resp = (status, bytes).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    if success {
        h.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache,no-store,must-revalidate"),
        );
    }
    resp
}

/// The tip messages (English, placeholders filled) used by the handlers.
pub mod tips {
    use super::ApiError;

    /// `api_datasheet_not_exist` (code 301).
    pub fn datasheet_not_exist() -> ApiError {
        ApiError::business(301, "Can't find the specified datasheet")
    }
    /// `api_datasheet_not_visible` (code 301).
    pub fn datasheet_not_visible() -> ApiError {
        ApiError::business(301, "Datasheet not visible")
    }
    /// `api_param_invalid_space_id_value` (code 400).
    pub fn invalid_space() -> ApiError {
        ApiError::bad("Space doesn't exist, please adjust the spaceId and try again")
    }
    /// `api_params_pagesize_min_error`.
    pub fn pagesize_min() -> ApiError {
        ApiError::bad("pagesize value can't be smaller than 1").dto()
    }
    /// `api_params_pagesize_max_error` (the limit is configurable; the text names it).
    pub fn pagesize_max(max: i64) -> ApiError {
        ApiError::bad(format!("pagesize value can't be greater than {max}")).dto()
    }
    /// `api_params_pagenum_min_error`.
    pub fn pagenum_min() -> ApiError {
        ApiError::bad("pageNum value can't be smaller than 1").dto()
    }
    /// `api_params_maxrecords_min_error`.
    pub fn maxrecords_min() -> ApiError {
        ApiError::bad("maxRecords value can't be smaller than 1").dto()
    }
    /// `api_params_cellformat_error` (sic).
    pub fn cellformat() -> ApiError {
        ApiError::bad("cellFormat value only supports \"string\" or \"id\"").dto()
    }
    /// `api_params_invalid_field_key`.
    pub fn invalid_field_key() -> ApiError {
        ApiError::bad("Invalid fieldKey (only supports \"id\" or \"name\")").dto()
    }
    /// `api_params_invalid_order_sort`.
    pub fn invalid_order_sort() -> ApiError {
        ApiError::bad("Sort value invalid (only supports \"desc\" or \"asc\")").dto()
    }
    /// `api_param_sort_missing_field`.
    pub fn sort_missing_field() -> ApiError {
        ApiError::bad("The \"sort\" parameter misses the \"field\" field").dto()
    }
    /// `api_params_instance_sort_error`.
    pub fn instance_sort() -> ApiError {
        ApiError::bad("sort value can't be null").dto()
    }
    /// `api_param_sort_field_not_exists`.
    pub fn sort_field_not_exists(field: &str) -> ApiError {
        ApiError::bad(format!("The sorted field \"{field}\" does not exist"))
    }
    /// `api_query_params_view_id_not_exists`.
    pub fn view_id_not_exists(view: &str) -> ApiError {
        ApiError::bad(format!("View ({view}) does not exist"))
    }
    /// `api_param_view_not_exists`.
    pub fn view_not_exists() -> ApiError {
        ApiError::bad("The specified view does not exist")
    }
    /// `api_query_params_invalid_fields`.
    pub fn invalid_fields() -> ApiError {
        ApiError::bad("Invalid fields")
    }
    /// `api_param_formula_error`: the server passes an unused argument, the text is empty.
    pub fn formula_error() -> ApiError {
        ApiError::bad("")
    }
    /// `api_params_records_empty_error` (trailing space as in the string table).
    pub fn records_empty() -> ApiError {
        ApiError::bad("records value can't be empty array or null ").dto()
    }
    /// `api_params_records_max_count_error`, rendered with the `${count}` artifact (`$10`).
    pub fn records_max_count(count: usize) -> ApiError {
        ApiError::bad(format!(
            "Can't update/delete/create more than ${count}  records in one single request"
        ))
    }
    /// `api_params_invalid_fields_value`.
    pub fn invalid_fields_value() -> ApiError {
        ApiError::bad("The format of the fields parameter value is wrong")
    }
    /// `api_params_instance_fields_error`.
    pub fn instance_fields() -> ApiError {
        ApiError::bad("fields value can't be null").dto()
    }
    /// `api_params_instance_recordid_error`.
    pub fn instance_record_id() -> ApiError {
        ApiError::bad("recordId value can't be null").dto()
    }
    /// `api_param_record_not_exists`.
    pub fn record_not_exists() -> ApiError {
        ApiError::bad("The record specified by the recordId does not exist")
    }
    /// `api_params_empty_error`.
    pub fn empty(property: &str) -> ApiError {
        ApiError::bad(format!("{property} should not be empty"))
    }
    /// `api_params_invalid_value`.
    pub fn invalid_value(property: &str) -> ApiError {
        ApiError::bad(format!("Invalid value for {property}"))
    }
    /// `api_params_max_length_error`, with the `${…}` artifacts of the string table.
    pub fn max_length(property: &str, value: usize) -> ApiError {
        ApiError::bad(format!(
            "${property}'s length must not be greater than ${value}"
        ))
    }
    /// `api_params_max_count_error`.
    pub fn max_count(property: &str, value: usize) -> ApiError {
        ApiError::bad(format!(
            "{property} must contain no more than {value} elements"
        ))
    }
    /// `api_params_must_unique`.
    pub fn must_unique(property: &str) -> ApiError {
        ApiError::bad(format!("{property} must be unique"))
    }
    /// `api_params_not_exists`.
    pub fn not_exists(property: &str, value: &str) -> ApiError {
        ApiError::bad(format!("{property} \"{value}\" does not exist"))
    }
    /// `api_params_primary_field_not_allowed_to_delete`.
    pub fn primary_not_deletable() -> ApiError {
        ApiError::bad("The primary field can't be deleted")
    }
    /// `api_params_invalid_primary_field_type_error`.
    pub fn invalid_primary_type(t: &str) -> ApiError {
        ApiError::bad(format!("The primary field type can't be {t}"))
    }
    /// `api_param_validate_error`.
    pub fn validate(message: impl Into<String>) -> ApiError {
        ApiError::bad(message)
    }
    /// `api_param_default_error`.
    pub fn default_error() -> ApiError {
        ApiError::bad("Parameter error")
    }
    /// `api_upload_invalid_file_name`.
    pub fn upload_invalid_file_name() -> ApiError {
        ApiError::bad("Attachment name can't be empty ")
    }
    /// `api_upload_invalid_file`.
    pub fn upload_invalid_file() -> ApiError {
        ApiError::bad("Attachment can't be empty ")
    }
    /// `api_node_node_type_value_error`.
    pub fn node_type_value() -> ApiError {
        ApiError::bad(
            "The type must be one of the following values: \"Folder\", \"Datasheet\", \"Form\", \"Dashboard\", \"Mirror\".",
        ).dto()
    }
    /// `api_node_permission_value_error`.
    pub fn node_permission_value() -> ApiError {
        ApiError::bad(
            "The permissions argument must be one of the following integer values: 0,1,2,3.",
        )
        .dto()
    }
    /// `api_param_unit_not_exists` (used by the contacts paths too).
    pub fn unit_not_exists() -> ApiError {
        ApiError::bad("The unit specified by the unit ID does not exist")
    }
}
