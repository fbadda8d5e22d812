package problem

import "encoding/json"

var jsonMarshal = json.Marshal
