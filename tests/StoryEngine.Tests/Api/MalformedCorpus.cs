using System.Text;
using System.Text.Json;

namespace StoryEngine.Tests.Api;

/// <summary>One operation of the OpenAPI document, as much of it as the corpus needs.</summary>
public sealed record ApiOperation(
    string Method,
    string Path,
    IReadOnlyList<string> QueryParameters,
    string? BodyType,
    JsonElement? BodySchema
);

/// <summary>A request of the corpus; <see cref="Label"/> says which malformation it carries.</summary>
public sealed record MalformedRequest(
    string Method,
    string Url,
    string Label,
    string? ContentType = null,
    byte[]? Body = null,
    IReadOnlyList<(string Name, string Value)>? Headers = null
)
{
    public HttpRequestMessage ToMessage()
    {
        var message = new HttpRequestMessage(new HttpMethod(Method), Url);
        if (Body is not null)
        {
            message.Content = new ByteArrayContent(Body);
            if (ContentType is not null)
            {
                message.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
            }
        }
        foreach (var (name, value) in Headers ?? [])
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }
        return message;
    }
}

/// <summary>
/// The bounded malformed-input corpus of issue 15, built from the OpenAPI document: bad path values, bad query
/// values, bad headers and content types, and bad bodies (syntax, duplicate keys, unpaired surrogates, wrong types,
/// huge numbers, deep nesting), field by field from each body's schema.
/// </summary>
public static class MalformedCorpus
{
    private static readonly string[] BadPathValues =
    [
        "%00",
        "a%00b",
        new string('z', 600),
        "%E2%98%83",
        "%F0%9F%98%80",
        "%FF%FE",
        "..%2F..%2Fetc",
        "%20",
        "-1",
        "99999999999999999999",
    ];

    private static readonly string[] BadQueryValues =
    [
        "abc",
        "-1",
        "99999999999999999999",
        "%00",
        "!!not-a-cursor!!",
        "%FF",
        new string('q', 2000),
        "",
    ];

    private static readonly (string Name, string Value)[][] BadHeaders =
    [
        [("If-Match", "garbage")],
        [("If-Match", "\"unterminated")],
        [("If-Match", "W/\"1\", nonsense")],
        [("If-None-Match", "garbage")],
        [("Accept", "application/xml")],
        [("Last-Event-ID", "not-a-number")],
    ];

    private static readonly string[] BadContentTypes =
    [
        "text/plain",
        "application/json; charset=utf-16",
        "application/x-www-form-urlencoded",
        "multipart/form-data",
        "garbage;;;",
    ];

    // Fields a schema-less body is tried with: the names most of our bodies have.
    private static readonly string[] CommonFields = ["name", "text", "description", "tags", "extensions"];

    public static IReadOnlyList<ApiOperation> Operations(JsonElement document)
    {
        var operations = new List<ApiOperation>();
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                var query = operation.Value.TryGetProperty("parameters", out var parameters)
                    ? parameters
                        .EnumerateArray()
                        .Where(p => p.GetProperty("in").GetString() == "query")
                        .Select(p => p.GetProperty("name").GetString()!)
                        .ToArray()
                    : [];
                string? bodyType = null;
                JsonElement? schema = null;
                if (operation.Value.TryGetProperty("requestBody", out var body))
                {
                    var content = body.GetProperty("content").EnumerateObject().First();
                    bodyType = content.Name;
                    schema = content.Value.TryGetProperty("schema", out var s) ? Resolve(document, s) : null;
                }
                operations.Add(new ApiOperation(operation.Name.ToUpperInvariant(), path.Name, query, bodyType, schema));
            }
        }
        return operations;
    }

    /// <summary>The malformed requests for an operation; <paramref name="ids"/> maps collections to real ids.</summary>
    public static IEnumerable<MalformedRequest> For(
        ApiOperation operation,
        JsonElement document,
        IReadOnlyDictionary<string, string> ids
    )
    {
        var segments = operation.Path.Split('/');
        var url = Url(segments, ids, badIndex: -1, badValue: "");
        var (okType, okBody) =
            operation.BodyType is null ? (null, null)
            : operation.BodyType.Contains("json", StringComparison.Ordinal) ? (operation.BodyType, "{}"u8.ToArray())
            : (operation.BodyType, Multipart("card.json", "{}"u8.ToArray()).Body);
        if (operation.BodyType?.StartsWith("multipart/", StringComparison.Ordinal) == true)
        {
            okType = Multipart("card.json", "{}"u8.ToArray()).Type;
        }
        var method = operation.Method;

        for (var i = 0; i < segments.Length; i++)
        {
            if (!segments[i].StartsWith('{'))
            {
                continue;
            }
            foreach (var bad in BadPathValues)
            {
                yield return new(method, Url(segments, ids, i, bad), $"path {segments[i]}={Clip(bad)}", okType, okBody);
            }
        }
        foreach (var name in operation.QueryParameters)
        {
            foreach (var bad in BadQueryValues)
            {
                yield return new(method, $"{url}?{name}={bad}", $"query {name}={Clip(bad)}", okType, okBody);
            }
            yield return new(method, $"{url}?{name}=1&{name}=2", $"query {name} twice", okType, okBody);
        }
        foreach (var headers in BadHeaders)
        {
            yield return new(method, url, $"header {headers[0].Name}: {headers[0].Value}", okType, okBody, headers);
        }
        if (operation.BodyType is null)
        {
            yield break;
        }
        foreach (var type in BadContentTypes)
        {
            yield return new(method, url, $"content-type {type}", type, "{}"u8.ToArray());
        }
        yield return new(method, url, "body without content-type", null, "{}"u8.ToArray());
        if (operation.BodyType.StartsWith("multipart/", StringComparison.Ordinal))
        {
            foreach (var (label, bytes) in BadJsonBodies(operation.BodySchema))
            {
                var (type, body) = Multipart("upload.json", bytes);
                yield return new(method, url, "file: " + label, type, body);
            }
            yield return new(method, url, "multipart with a broken boundary", okType, "--nope\r\n\r\n"u8.ToArray());
            yield break;
        }
        foreach (var (label, bytes) in BadJsonBodies(operation.BodySchema))
        {
            yield return new(method, url, label, operation.BodyType, bytes);
        }
    }

    private static IEnumerable<(string Label, byte[] Body)> BadJsonBodies(JsonElement? schema)
    {
        (string, byte[]) Text(string label, string json) => (label, Encoding.UTF8.GetBytes(json));

        yield return Text("truncated", """{"name": "x",""");
        yield return Text("duplicate key", """{"name":"a","name":"b"}""");
        yield return Text("lone surrogate value", """{"name":"\ud800"}""");
        yield return Text("lone surrogate key", """{"\udc00":1}""");
        yield return Text("deep arrays", new string('[', 100) + new string(']', 100));
        yield return Text(
            "deep objects",
            string.Concat(Enumerable.Repeat("{\"a\":", 100)) + "1" + new string('}', 100)
        );
        yield return ("invalid UTF-8", [.. "{\"name\":\""u8, 0xFF, 0xFE, .. "\"}"u8]);
        yield return Text("NUL in a string", """{"name":"a\u0000b","text":"a\u0000b"}""");
        yield return Text("empty", "");
        yield return Text("null", "null");
        yield return Text("string", "\"x\"");
        yield return Text("huge number", "123456789012345678901234567890");
        yield return Text("trailing garbage", "{} x");
        var fields = Fields(schema);
        yield return Text(
            "every field the wrong type",
            "{" + string.Join(",", fields.Select(f => $"\"{f.Name}\":{WrongType(f.Type)}")) + "}"
        );
        yield return Text(
            "every field a huge number",
            "{" + string.Join(",", fields.Select(f => $"\"{f.Name}\":1e400")) + "}"
        );
        foreach (var (name, type) in fields.Take(16))
        {
            yield return Text($"field {name} poisoned", $"{{\"{name}\":{Poison(type)}}}");
        }
    }

    private static IReadOnlyList<(string Name, string Type)> Fields(JsonElement? schema)
    {
        if (schema is { } s && s.TryGetProperty("properties", out var properties))
        {
            return properties.EnumerateObject().Select(p => (p.Name, TypeOf(p.Value))).ToArray();
        }
        return CommonFields.Select(f => (f, "unknown")).ToArray();
    }

    private static string TypeOf(JsonElement property)
    {
        if (!property.TryGetProperty("type", out var type))
        {
            return "unknown"; // a $ref, a oneOf: an object or an enum
        }
        return type.ValueKind == JsonValueKind.Array
            ? type.EnumerateArray().Select(t => t.GetString()!).FirstOrDefault(t => t != "null") ?? "null"
            : type.GetString()!;
    }

    private static string WrongType(string type) =>
        type switch
        {
            "string" => "12345",
            "integer" or "number" => "\"abc\"",
            "boolean" => "\"yes\"",
            "array" => """{"x":1}""",
            "object" => "[1]",
            _ => "[[]]",
        };

    // The value most likely to slip through binding of a field of this type and hurt later.
    private static string Poison(string type) =>
        type switch
        {
            "string" or "boolean" => "\"\\ud800\"",
            "integer" or "number" => "1e400",
            "array" => """["\udfff",{"a":1,"a":2}]""",
            _ => """{"a":1,"a":2,"\ud800":"\udc00x"}""",
        };

    private static JsonElement Resolve(JsonElement document, JsonElement schema)
    {
        if (schema.TryGetProperty("$ref", out var reference))
        {
            var name = reference.GetString()!.Split('/')[^1];
            return document.GetProperty("components").GetProperty("schemas").GetProperty(name);
        }
        return schema;
    }

    private static string Url(
        string[] segments,
        IReadOnlyDictionary<string, string> ids,
        int badIndex,
        string badValue
    ) =>
        string.Join(
            '/',
            segments.Select(
                (s, i) =>
                    i == badIndex ? badValue
                    : s.StartsWith('{') ? ids.GetValueOrDefault(segments[i - 1], "unknown")
                    : s
            )
        );

    private static (string Type, byte[] Body) Multipart(string fileName, byte[] file)
    {
        const string boundary = "corpus-boundary";
        var head = Encoding.UTF8.GetBytes(
            $"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
                + $"filename=\"{fileName}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        );
        var tail = Encoding.UTF8.GetBytes($"\r\n--{boundary}--\r\n");
        return ($"multipart/form-data; boundary={boundary}", [.. head, .. file, .. tail]);
    }

    private static string Clip(string value) => value.Length <= 24 ? value : value[..8] + $"...({value.Length})";
}
