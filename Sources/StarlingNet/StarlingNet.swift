import CZlib
import COpenSSL

// StarlingNet
let _zlibVersion = zlibVersion()
