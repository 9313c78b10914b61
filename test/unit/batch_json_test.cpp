// The Files and Batch API objects: decoding every field of the Batch object (nulls, unknown
// statuses and keys), FileObject, list pages, and the create body.
#include <openai/batch_types.hpp>
#include <openai/error.hpp>

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <string>

BOOST_AUTO_TEST_SUITE(batch_json)

namespace {

const char* full_batch = R"({
  "id": "batch_abc", "object": "batch", "endpoint": "/v1/images/generations",
  "model": "gpt-image-1",
  "errors": {"object": "list", "data": [
      {"code": "invalid_json_line", "message": "line 3 is not JSON", "param": null, "line": 3},
      {"code": "duplicate_custom_id", "message": "dup", "param": "custom_id", "line": 7}]},
  "input_file_id": "file-in", "completion_window": "24h", "status": "failed",
  "output_file_id": "file-out", "error_file_id": null,
  "created_at": 1700000000, "in_progress_at": 1700000001, "expires_at": 1700086400,
  "finalizing_at": 1700000002, "completed_at": 1700000003, "failed_at": 1700000004,
  "expired_at": null, "cancelling_at": 1700000005, "cancelled_at": 1700000006,
  "request_counts": {"total": 20, "completed": 18, "failed": 2},
  "usage": {"input_tokens": 10, "output_tokens": 20, "total_tokens": 30},
  "metadata": {"run": "nightly", "owner": "me"},
  "something_new": [1, 2, 3]
})";

} // namespace

BOOST_AUTO_TEST_CASE(every_field_of_the_batch_object) {
    auto r = openai::decode_batch(full_batch);
    BOOST_TEST_REQUIRE(r.ok(), r.message);
    const auto& b = r.value;
    BOOST_TEST(b.id == "batch_abc");
    BOOST_TEST(b.endpoint == "/v1/images/generations");
    BOOST_TEST(*b.model == "gpt-image-1");
    BOOST_TEST_REQUIRE(b.errors.has_value());
    BOOST_TEST_REQUIRE(b.errors->size() == 2u);
    BOOST_TEST(*(*b.errors)[0].code == "invalid_json_line");
    BOOST_TEST(!(*b.errors)[0].param.has_value());
    BOOST_TEST(*(*b.errors)[0].line == 3);
    BOOST_TEST(*(*b.errors)[1].param == "custom_id");
    BOOST_TEST(b.input_file_id == "file-in");
    BOOST_TEST(b.completion_window == "24h");
    BOOST_TEST(b.status == openai::batch_statuses::failed);
    BOOST_TEST(b.is_terminal());
    BOOST_TEST(*b.output_file_id == "file-out");
    BOOST_TEST(!b.error_file_id.has_value());
    BOOST_TEST(b.created_at == 1700000000);
    BOOST_TEST(*b.in_progress_at == 1700000001);
    BOOST_TEST(*b.expires_at == 1700086400);
    BOOST_TEST(*b.finalizing_at == 1700000002);
    BOOST_TEST(*b.completed_at == 1700000003);
    BOOST_TEST(*b.failed_at == 1700000004);
    BOOST_TEST(!b.expired_at.has_value());
    BOOST_TEST(*b.cancelling_at == 1700000005);
    BOOST_TEST(*b.cancelled_at == 1700000006);
    BOOST_TEST_REQUIRE(b.request_counts.has_value());
    BOOST_TEST(b.request_counts->total == 20);
    BOOST_TEST(b.request_counts->completed == 18);
    BOOST_TEST(b.request_counts->failed == 2);
    BOOST_TEST_REQUIRE(b.usage.has_value());
    BOOST_TEST(b.usage->at("total_tokens").as_int64() == 30);
    BOOST_TEST(b.metadata.at("run") == "nightly");
    BOOST_TEST(b.metadata.size() == 2u);
}

BOOST_AUTO_TEST_CASE(unknown_status_round_trips_and_nulls_are_unset) {
    auto r = openai::decode_batch(
        R"({"id":"batch_1","status":"paused_for_review","errors":null,"request_counts":null,)"
        R"("usage":null,"metadata":null,"output_file_id":null,"created_at":5})");
    BOOST_TEST_REQUIRE(r.ok(), r.message);
    BOOST_TEST(r.value.status == "paused_for_review");
    BOOST_TEST(!r.value.is_terminal());
    BOOST_TEST(!r.value.errors.has_value());
    BOOST_TEST(!r.value.request_counts.has_value());
    BOOST_TEST(!r.value.usage.has_value());
    BOOST_TEST(r.value.metadata.empty());
    for (auto s : {"validating", "in_progress", "finalizing", "cancelling"})
        BOOST_TEST(!openai::decode_batch(std::string(R"({"id":"b","status":")") + s + "\"}")
                        .value.is_terminal());
    for (auto s : {"completed", "expired", "cancelled", "failed"})
        BOOST_TEST(openai::decode_batch(std::string(R"({"id":"b","status":")") + s + "\"}")
                       .value.is_terminal());
}

BOOST_AUTO_TEST_CASE(wrong_types_name_their_path) {
    auto r = openai::decode_batch(R"({"id":"b","request_counts":{"total":"many"}})");
    BOOST_TEST(!r.ok());
    BOOST_TEST(r.code == openai::errc::json_type_mismatch);
    BOOST_TEST(r.message.find("request_counts.total") != std::string::npos, r.message);
    r = openai::decode_batch(R"({"id":"b","errors":{"data":[{"line":"x"}]}})");
    BOOST_TEST(r.message.find("errors.data[0].line") != std::string::npos, r.message);
    r = openai::decode_batch(R"({"status":"completed"})");
    BOOST_TEST(!r.ok());
    BOOST_TEST(r.message.find("id") != std::string::npos, r.message);
    r = openai::decode_batch("{not json");
    BOOST_TEST(r.code == openai::errc::invalid_json);
    r = openai::decode_batch(R"({"id":"b","metadata":{"k":1}})");
    BOOST_TEST(r.message.find("metadata.k") != std::string::npos, r.message);
}

BOOST_AUTO_TEST_CASE(list_page) {
    auto r = openai::decode_batch_list(
        R"({"object":"list","data":[{"id":"batch_2","status":"completed"},)"
        R"({"id":"batch_1","status":"in_progress"}],"first_id":"batch_2","last_id":"batch_1",)"
        R"("has_more":true})");
    BOOST_TEST_REQUIRE(r.ok(), r.message);
    BOOST_TEST(r.value.data.size() == 2u);
    BOOST_TEST(r.value.data[1].id == "batch_1");
    BOOST_TEST(*r.value.last_id == "batch_1");
    BOOST_TEST(r.value.has_more);
    auto bad = openai::decode_batch_list(R"({"data":[{"id":3}]})");
    BOOST_TEST(bad.message.find("data[0].id") != std::string::npos, bad.message);
}

BOOST_AUTO_TEST_CASE(file_objects) {
    auto r = openai::decode_file_object(
        R"({"id":"file-1","object":"file","bytes":123456789012,"created_at":1,"expires_at":null,)"
        R"("filename":"in.jsonl","purpose":"batch","status":"processed","status_details":null})");
    BOOST_TEST_REQUIRE(r.ok(), r.message);
    BOOST_TEST(r.value.id == "file-1");
    BOOST_TEST(r.value.bytes == 123456789012ull);
    BOOST_TEST(!r.value.expires_at.has_value());
    BOOST_TEST(r.value.filename == "in.jsonl");
    BOOST_TEST(r.value.purpose == openai::file_purposes::batch);
    BOOST_TEST(*r.value.status == "processed");
    BOOST_TEST(!r.value.status_details.has_value());
    auto d = openai::decode_file_deleted(R"({"id":"file-1","object":"file","deleted":true})");
    BOOST_TEST_REQUIRE(d.ok(), d.message);
    BOOST_TEST(d.value.deleted);
    BOOST_TEST(!openai::decode_file_object(R"({"id":"f","bytes":"big"})").ok());
}

BOOST_AUTO_TEST_CASE(create_body) {
    openai::batch_create_request req;
    req.input_file_id = "file-in";
    auto o = openai::to_json(req);
    BOOST_TEST(boost::json::serialize(o) ==
               R"({"input_file_id":"file-in","endpoint":"/v1/images/generations",)"
               R"("completion_window":"24h"})");
    req.metadata["k"] = "v";
    req.output_expires_after_seconds = 3600;
    req.endpoint = std::string(openai::batch_endpoints::image_edits);
    o = openai::to_json(req);
    BOOST_TEST(o.at("metadata").at("k").as_string() == "v");
    BOOST_TEST(o.at("output_expires_after").at("anchor").as_string() == "created_at");
    BOOST_TEST(o.at("output_expires_after").at("seconds").as_int64() == 3600);
    BOOST_TEST(o.at("endpoint").as_string() == "/v1/images/edits");
}

BOOST_AUTO_TEST_SUITE_END()
