/// Reading safetensors header values.
extension JSONValue {
    /// A non-negative integer that fits in `Int`.
    func integer(_ what: String) throws -> Int {
        guard case .number(let text) = self, let value = Int(text), value >= 0 else {
            throw SafeTensorsError.invalidHeader("\(what) holds something other than non-negative integers")
        }
        return value
    }
}
