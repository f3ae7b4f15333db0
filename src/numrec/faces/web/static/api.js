// The API reference, built from /openapi.json with DOM calls only (no HTML
// strings, no outside scripts): FastAPI's own /docs page loads Swagger UI from
// a CDN and is blank without the internet.
"use strict";

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

// "#/components/schemas/Name" -> "Name"; other schemas by their type.
function schemaName(schema) {
  if (!schema) return "";
  if (schema.$ref) return schema.$ref.split("/").pop();
  if (schema.type === "array") return `array of ${schemaName(schema.items)}`;
  return schema.type || "";
}

function parameterRow(p) {
  const row = el("tr");
  const schema = p.schema || {};
  const shown = schema.default === undefined ? "" : ` (default ${JSON.stringify(schema.default)})`;
  row.append(el("td", p.name, "mono"), el("td", p.in), el("td", schemaName(schema) + shown),
             el("td", p.description || ""));
  return row;
}

function operationSection(path, method, op) {
  const section = el("section", undefined, "operation");
  const title = el("h2");
  title.append(el("span", method.toUpperCase(), `method ${method}`), " ", el("span", path, "mono"));
  section.append(title, el("p", op.summary || ""));
  if (op.description) section.append(el("p", op.description, "muted"));
  if (op.parameters && op.parameters.length) {
    const table = el("table");
    const head = el("tr");
    ["parameter", "in", "type", "meaning"].forEach((h) => head.append(el("th", h)));
    table.append(head, ...op.parameters.map(parameterRow));
    section.append(table);
  }
  if (op.requestBody) {
    const types = Object.keys(op.requestBody.content || {});
    section.append(el("p", `Body: ${types.join(", ")}`));
  }
  const list = el("ul");
  for (const [code, response] of Object.entries(op.responses || {})) {
    const content = (response.content || {})["application/json"];
    const type = content ? ` → ${schemaName(content.schema)}` : "";
    list.append(el("li", `${code}: ${response.description || ""}${type}`));
  }
  section.append(el("h3", "Responses"), list);
  return section;
}

async function main() {
  const status = document.getElementById("api-status");
  try {
    const response = await fetch("openapi.json");
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const spec = await response.json();
    const target = document.getElementById("operations");
    for (const [path, methods] of Object.entries(spec.paths)) {
      for (const [method, op] of Object.entries(methods)) target.append(operationSection(path, method, op));
    }
    status.textContent = `${spec.info.title} ${spec.info.version}: ${spec.info.description || ""}`;
  } catch (error) {
    status.textContent = `Could not read /openapi.json (${error.message}).`;
  }
}

main();
