package paystate

import kotlinx.serialization.ExperimentalSerializationApi
import kotlinx.serialization.SerializationException
import kotlinx.serialization.json.JsonArray
import kotlinx.serialization.json.JsonElement
import kotlinx.serialization.json.JsonNull
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.JsonPrimitive
import kotlinx.serialization.json.JsonUnquotedLiteral
import kotlinx.serialization.json.Json as KJson

/**
 * A JSON number kept as its exact source text: scenario numbers are never turned into a
 * Double (amounts are strings anyway; whole numbers such as `expires_in` are read from text).
 */
data class JNum(val text: String) {
    override fun toString(): String = text
}

/** JSON null, kept apart from "absent" (the core treats both as absent). */
object JNull {
    override fun toString(): String = "null"
}

/**
 * JSON for the tests and the conformance runner, over kotlinx-serialization-json's tree
 * (`JsonElement`, pinned in pom.xml): objects keep member order, numbers keep their text
 * ([JNum]), so a step can be forwarded to the core's own JSON readers (`commandFromJson`,
 * `invoiceSpecFromJson`) exactly as written. Values: Map<String, Any>, List<Any>, String,
 * JNum, Boolean, JNull.
 */
object Json {
    class ParseError(message: String) : Exception(message)

    /** RFC 8259's number grammar: kotlinx keeps any unquoted token, so it is checked here. */
    private val NUMBER = Regex("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?")

    fun parse(text: String): Any {
        val tree = try {
            KJson.parseToJsonElement(text)
        } catch (e: SerializationException) {
            throw ParseError(e.message ?: "not JSON")
        } catch (e: IllegalArgumentException) {
            throw ParseError(e.message ?: "not JSON")
        }
        return fromTree(tree, 0)
    }

    fun write(v: Any?): String = toTree(v).toString()

    private fun fromTree(e: JsonElement, depth: Int): Any {
        if (depth > 128) throw ParseError("nesting too deep")
        return when (e) {
            is JsonNull -> JNull
            is JsonObject -> LinkedHashMap<String, Any>().also { m -> for ((k, x) in e) m[k] = fromTree(x, depth + 1) }
            is JsonArray -> e.mapTo(ArrayList()) { fromTree(it, depth + 1) }
            is JsonPrimitive -> when {
                e.isString -> e.content
                e.content == "true" -> true
                e.content == "false" -> false
                NUMBER.matches(e.content) -> JNum(e.content)
                else -> throw ParseError("not a JSON value: ${e.content}")
            }
        }
    }

    @OptIn(ExperimentalSerializationApi::class)
    private fun toTree(v: Any?): JsonElement = when (v) {
        null, JNull -> JsonNull
        is String -> JsonPrimitive(v)
        // The text as is: the hostile tests write number texts that are not valid JSON.
        is JNum -> JsonUnquotedLiteral(v.text)
        is Boolean -> JsonPrimitive(v)
        is Map<*, *> -> JsonObject(v.entries.associateTo(LinkedHashMap()) { (k, x) -> (k as String) to toTree(x) })
        is List<*> -> JsonArray(v.map(::toTree))
        else -> throw IllegalArgumentException("not a JSON value: ${v::class}")
    }
}

/** The JSON type name of a value, as the core's messages say it. */
fun jsonKind(v: Any?): String = when (v) {
    null, JNull -> "null"
    is Boolean -> "a boolean"
    is JNum -> "a number"
    is String -> "a string"
    is List<*> -> "an array"
    is Map<*, *> -> "an object"
    else -> "something else"
}
